"""The records export a client manager starts in the admin, run by a worker. It takes
the export's id; run twice, the second run finds it done and does nothing. It starts
and finishes holding the vendor's lock (``offboarding.lock_vendor``), as the erasure of
the vendor's personal data does: a vendor erased before it starts is not exported, and
an archive finished after the erasure went on without it is deleted. And beat's
hourly off-boarding of vendors (``offboarding``), which does each step once however
often it runs."""

import logging
import shutil

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.organisation.scoping import system_scope
from portal.records import record_kinds

from . import offboarding
from .archive import file_sha256, write_archive
from .models import RecordsExport

logger = logging.getLogger(__name__)
Status = RecordsExport.Status


@shared_task(name="handover.export_records", acks_late=True)
@system_scope("a client manager hands one vendor's records over; the view checked who")
def export_records(export_id: int) -> str:
    exports = RecordsExport.objects.filter(pk=export_id)
    vendor_id = exports.values_list("vendor_id", flat=True).first()
    if vendor_id is None:
        return "nothing to do"
    with transaction.atomic():
        # The lock the erasure takes (``offboarding.lock_vendor``): it either waits for
        # this export or has erased the vendor, and then nothing is exported.
        offboarding.lock_vendor(vendor_id)
        if offboarding.personal_data_erased(vendor_id):
            if exports.filter(status__in=[Status.QUEUED, Status.RUNNING]).update(
                status=Status.FAILED, error=_erased_reason(), finished_at=timezone.now()
            ):
                return "failed"
            return "nothing to do"
        # A run that a dead worker left unfinished starts again from the beginning: its
        # archive was never renamed into place.
        if not exports.filter(status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.RUNNING, started_at=timezone.now(), kinds_done=0, records_written=0
        ):
            return "nothing to do"
    export = exports.select_related("vendor").get()

    def progress(done: int, total: int, records: int) -> None:
        exports.update(kinds_done=done, kinds_total=total, records_written=records)

    progress(0, len(record_kinds()), 0)
    try:
        path, _manifest = write_archive(export.vendor, export.folder, progress=progress)
        size, sha256 = path.stat().st_size, file_sha256(path)
    except Exception as error:
        logger.exception("records export %s failed", export_id)
        exports.update(
            status=Status.FAILED,
            error=(str(error) or type(error).__name__)[:500],
            finished_at=timezone.now(),
        )
        return "failed"
    with transaction.atomic():
        offboarding.lock_vendor(vendor_id)
        if offboarding.personal_data_erased(vendor_id):
            # This run outlived the broker's redelivery window, and the erasure went on
            # without it: its archive, written from the data as it was, goes too.
            shutil.rmtree(export.folder, ignore_errors=True)
            exports.update(
                status=Status.FAILED,
                file_name="",
                error=_erased_reason(),
                finished_at=timezone.now(),
            )
            logger.warning("records export %s: vendor erased meanwhile, archive deleted", export_id)
            return "failed"
        exports.update(
            status=Status.DONE,
            file_name=path.name,
            size=size,
            sha256=sha256,
            finished_at=timezone.now(),
        )
    logger.info("records export %s written to %s", export_id, path)
    return str(path.relative_to(settings.HANDOVER_EXPORT_DIR))


def _erased_reason() -> str:
    return gettext(
        "The personal data of this vendor's people was erased (off-boarding): its records "
        "can no longer be exported."
    )


@shared_task(name="handover.offboard_vendors")
@system_scope("ends and erases the accounts of every off-boarded vendor, as decided")
def offboard_vendors() -> dict[str, int]:
    return offboarding.offboard_vendors()
