"""The admin's "Records hand-over": client managers start an export (a task with its
progress), follow it and download the archive; nobody else reaches either."""

import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from handover.models import RecordsExport
from handover.tasks import export_records
from portal.organisation.roles import Role
from tests.factories import make_client_staff

pytestmark = pytest.mark.django_db

PAGE = "/admin/records-handover/"


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_client_manager_starts_an_export_that_a_worker_writes_with_progress(
    world, records, export_dir, eager_celery, django_capture_on_commit_callbacks
):
    client = _client(world.client_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"vendor": world.vendor_a.pk})
    assert response.status_code == 302
    export = RecordsExport.objects.get()
    assert (export.status, export.vendor, export.requested_by) == (
        RecordsExport.Status.DONE,
        world.vendor_a,
        world.client_manager,
    )
    assert (export.kinds_done, export.kinds_total) == (11, 11)
    assert export.records_written == 18
    assert export.path.is_file() and export.path.parent == export_dir / str(export.pk)
    assert len(export.sha256) == 64
    page = client.get(PAGE)
    assert export.file_name in page.content.decode()
    assert b'http-equiv="refresh"' not in page.content

    download = client.get(reverse("handover_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content)
    assert body == export.path.read_bytes()
    assert zipfile.is_zipfile(export.path)


def test_a_running_export_shows_its_progress_and_the_page_reloads_itself(world, export_dir):
    RecordsExport.objects.create(
        vendor=world.vendor_a,
        status=RecordsExport.Status.RUNNING,
        kinds_done=3,
        kinds_total=10,
        records_written=1200,
    )
    page = _client(world.client_manager).get(PAGE)
    assert page.status_code == 200
    assert b'<meta http-equiv="refresh" content="5">' in page.content
    assert "3" in page.content.decode() and "1200" in page.content.decode()


def test_a_failed_export_says_why_and_leaves_no_file(world, records, export_dir, monkeypatch):
    from handover import tasks

    def broken(vendor, directory, progress=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(tasks, "write_archive", broken)
    export = RecordsExport.objects.create(vendor=world.vendor_a)
    assert export_records(export.pk) == "failed"
    export.refresh_from_db()
    assert (export.status, export.error) == (RecordsExport.Status.FAILED, "No space left on device")
    assert export.file_name == ""
    # Run again (a redelivered message): nothing to do.
    assert export_records(export.pk) == "nothing to do"


@pytest.mark.parametrize("who", ["vendor manager", "team lead", "agent", "editor", "signed out"])
def test_nobody_else_reaches_the_page_or_an_archive(who, world, records, export_dir):
    export = RecordsExport.objects.create(vendor=world.vendor_a)
    export_records(export.pk)
    user = {
        "vendor manager": world.manager_a.user,
        "team lead": world.lead_a1.user,
        "agent": world.agent_a1.user,
        "editor": make_client_staff(Role.CLIENT_EDITOR),
        "signed out": None,
    }[who]
    client = _client(user)
    for url in (PAGE, reverse("handover_download", args=[export.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert not response.get("Content-Disposition")
    response = client.post(PAGE, {"vendor": world.vendor_a.pk})
    assert response.status_code in (302, 403)
    assert RecordsExport.objects.count() == 1


def test_a_bad_vendor_is_refused_with_a_message_and_starts_nothing(world, export_dir):
    response = _client(world.client_manager).post(PAGE, {"vendor": 999999})
    assert response.status_code == 400
    assert RecordsExport.objects.count() == 0


def test_an_unfinished_or_missing_archive_is_not_found(world, export_dir):
    client = _client(world.client_manager)
    queued = RecordsExport.objects.create(vendor=world.vendor_a)
    assert client.get(reverse("handover_download", args=[queued.pk])).status_code == 404
    gone = RecordsExport.objects.create(
        vendor=world.vendor_a, status=RecordsExport.Status.DONE, file_name="records-x.zip"
    )
    assert client.get(reverse("handover_download", args=[gone.pk])).status_code == 404
