"""Celery tasks for notices. Every task takes ids and can run twice without harm.

``dispatch_notice`` resolves the audience and hands chunks to ``deliver_chunk``; the
beat's ``relay_dispatches`` re-queues intents the broker never got (or a dead worker
never finished). Reminders and escalation digests run on beat too.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.mail import site_url
from portal.organisation.scoping import system_scope

from .audience import audience_agents
from .delivery import TemporaryEmailFailure, create_deliveries, send_delivery_emails
from .models import (
    ChangeNoticePage,
    Delivery,
    EmailStatus,
    NoticeDispatch,
    NoticeVersion,
    VendorWebhook,
    WebhookCall,
    in_effect,
)
from .reminders import send_digests, send_manual_reminders, send_scheduled_reminders
from .versions import current_material_version, redispatch

logger = logging.getLogger(__name__)

CHUNK = 500
#: Retries back off exponentially up to this many seconds: less than the broker's
#: visibility timeout, so Redis never hands a waiting retry to a second worker.
MAX_BACKOFF = 600


class PermanentWebhookError(Exception):
    """The receiver refused the request for good (4xx other than 408/429)."""


@shared_task(name="notices.dispatch_notice", acks_late=True, reject_on_worker_lost=True)
@system_scope("a notice reaches its whole audience, across vendors")
def dispatch_notice(dispatch_id: int) -> int:
    dispatch = (
        NoticeDispatch.objects.select_related("version__notice").filter(pk=dispatch_id).first()
    )
    if dispatch is None or dispatch.status == NoticeDispatch.Status.DONE:
        return 0
    version = dispatch.version
    notice = version.notice
    current = current_material_version(notice)
    if not notice.live or current is None or current.pk != version.pk:
        # Unpublished, or a newer material version carries its own dispatch.
        _finish(dispatch, audience_size=0)
        return 0
    agent_ids = list(audience_agents(notice).order_by("pk").values_list("pk", flat=True))
    NoticeDispatch.objects.filter(pk=dispatch.pk).update(
        status=NoticeDispatch.Status.FANNED_OUT,
        fanned_out_at=timezone.now(),
        audience_size=len(agent_ids),
        attempts=dispatch.attempts + 1,
    )
    for start in range(0, len(agent_ids), CHUNK):
        deliver_chunk.delay(dispatch.pk, agent_ids[start : start + CHUNK])
    vendor_ids = set(
        VendorWebhook.objects.filter(is_active=True).values_list("vendor_id", flat=True)
    )
    if vendor_ids:
        audience_vendors = set(
            audience_agents(notice)
            .filter(vendor_id__in=vendor_ids)
            .values_list("vendor_id", flat=True)
        )
        for vendor_id in sorted(audience_vendors):
            call_webhook.delay(version.pk, vendor_id)
    if not agent_ids:
        _finish(dispatch, audience_size=0)
    return len(agent_ids)


@shared_task(
    name="notices.deliver_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=8,
)
@system_scope("delivers a notice to agents of any vendor")
def deliver_chunk(self, dispatch_id: int, agent_ids: list[int]) -> int:
    dispatch = NoticeDispatch.objects.select_related("version").filter(pk=dispatch_id).first()
    if dispatch is None:
        return 0
    version = dispatch.version
    create_deliveries(version, agent_ids)
    delivery_ids = list(
        Delivery.objects.unscoped()
        .filter(version=version, agent_id__in=agent_ids)
        .exclude(email_status__in=[EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.NONE])
        .values_list("pk", flat=True)
    )
    try:
        run = send_delivery_emails(delivery_ids)
    except TemporaryEmailFailure as error:
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    _maybe_finish(dispatch)
    return run.sent


def _backoff(retries: int) -> int:
    return min(MAX_BACKOFF, 10 * 2**retries)


def _maybe_finish(dispatch):
    """Done when every agent of the audience has a delivery whose email is settled."""
    pending = (
        Delivery.objects.unscoped()
        .filter(
            version_id=dispatch.version_id,
            email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING],
        )
        .exists()
    )
    if pending:
        return
    delivered = Delivery.objects.unscoped().filter(version_id=dispatch.version_id).count()
    size = (
        NoticeDispatch.objects.filter(pk=dispatch.pk)
        .values_list("audience_size", flat=True)
        .first()
    )
    if size is not None and delivered < size:
        # Agents who left while the fan-out ran got no delivery (``create_deliveries``):
        # the audience is who is still in it.
        notice = ChangeNoticePage.objects.filter(pk=dispatch.version.notice_id).first()
        size = audience_agents(notice).count() if notice is not None else delivered
    if size is not None and delivered >= size:
        _finish(dispatch, audience_size=size)


def _finish(dispatch, audience_size):
    NoticeDispatch.objects.filter(pk=dispatch.pk).exclude(status=NoticeDispatch.Status.DONE).update(
        status=NoticeDispatch.Status.DONE, finished_at=timezone.now(), audience_size=audience_size
    )


@shared_task(name="notices.relay_dispatches")
@system_scope("re-queues every vendor's lost dispatches")
def relay_dispatches() -> int:
    """Re-queue dispatches the broker never received, or whose workers died."""
    now = timezone.now()
    grace = timedelta(seconds=settings.NOTICE_RELAY_GRACE_SECONDS)
    stale = timedelta(seconds=settings.NOTICE_DISPATCH_STALE_SECONDS)
    pending = NoticeDispatch.objects.filter(
        status=NoticeDispatch.Status.PENDING, created_at__lt=now - grace
    ).values_list("pk", flat=True)
    stuck = NoticeDispatch.objects.filter(
        status=NoticeDispatch.Status.FANNED_OUT, fanned_out_at__lt=now - stale
    ).values_list("pk", flat=True)
    relayed = 0
    for dispatch_id in [*pending, *stuck]:
        dispatch = NoticeDispatch.objects.get(pk=dispatch_id)
        if dispatch.status == NoticeDispatch.Status.FANNED_OUT:
            _maybe_finish(dispatch)
            if NoticeDispatch.objects.filter(
                pk=dispatch_id, status=NoticeDispatch.Status.DONE
            ).exists():
                continue
        dispatch_notice.delay(dispatch_id)
        relayed += 1
    return relayed


@shared_task(
    name="notices.call_webhook",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
)
@system_scope("posts a notice to one vendor's webhook")
def call_webhook(self, version_id: int, vendor_id: int) -> str:
    webhook = VendorWebhook.objects.filter(vendor_id=vendor_id, is_active=True).first()
    if webhook is None:
        return "no webhook"
    call, _ = WebhookCall.objects.get_or_create(version_id=version_id, vendor_id=vendor_id)
    if call.status != WebhookCall.Status.PENDING:
        return call.status
    version = NoticeVersion.objects.select_related("notice").get(pk=version_id)
    body = json.dumps(webhook_payload(version, vendor_id), ensure_ascii=False).encode()
    signature = hmac.new(webhook.secret.encode(), body, hashlib.sha256).hexdigest()
    if not webhook.url.startswith(("https://", "http://")):
        call.status = WebhookCall.Status.FAILED
        call.last_error = "only http(s) URLs are called"
        call.save()
        return call.status
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Portal-Signature": f"sha256={signature}",
            "X-Portal-Delivery": f"{version_id}-{vendor_id}",
        },
    )
    call.attempts += 1
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=settings.NOTICE_WEBHOOK_TIMEOUT
        ) as response:
            call.last_status_code = response.status
    except urllib.error.HTTPError as error:
        call.last_status_code = error.code
        call.last_error = f"HTTP {error.code}"
        if 400 <= error.code < 500 and error.code not in (408, 429):
            call.status = WebhookCall.Status.FAILED
            call.save()
            return call.status
        return _retry_webhook(self, call, error)
    except (urllib.error.URLError, OSError) as error:
        call.last_error = str(error)[:500]
        return _retry_webhook(self, call, error)
    call.status = WebhookCall.Status.SENT
    call.sent_at = timezone.now()
    call.last_error = ""
    call.save()
    return call.status


def _retry_webhook(task, call, error):
    if task.request.retries >= task.max_retries:
        call.status = WebhookCall.Status.FAILED
        call.save()
        return call.status
    call.save()
    raise task.retry(exc=error, countdown=_backoff(task.request.retries))


def webhook_payload(version, vendor_id: int) -> dict:
    notice = version.notice
    recipients = Delivery.objects.unscoped().filter(version=version, agent__vendor_id=vendor_id)
    return {
        "event": "notice.published",
        "notice": {
            "id": notice.pk,
            "version": version.number,
            "title": notice.title,
            "kind": notice.kind,
            "priority": notice.priority,
            "summary": notice.summary,
            "url": site_url(notice),
            "acknowledgement_required": notice.acknowledgement_required,
            "acknowledge_by": notice.acknowledge_by.isoformat() if notice.acknowledge_by else None,
        },
        "vendor_id": vendor_id,
        "recipients": recipients.count(),
    }


@shared_task(name="notices.reach_newcomers")
@system_scope("finds newcomers in every vendor's audience")
def reach_newcomers() -> int:
    """Live notices reach people who joined their audience after the publish."""

    now = timezone.now()
    notices = ChangeNoticePage.objects.filter(in_effect(now))
    started = 0
    for notice in notices:
        version = current_material_version(notice)
        if version is None:
            continue
        has_delivery = Delivery.objects.unscoped().filter(version=version, agent=OuterRef("pk"))
        if audience_agents(notice).exclude(Exists(has_delivery)).exists():
            redispatch(notice)
            started += 1
    return started


@shared_task(name="notices.send_due_reminders")
@system_scope("reminds every vendor's agents who are due")
def send_due_reminders() -> int:

    return send_scheduled_reminders()


@shared_task(name="notices.send_escalation_digests")
@system_scope("tells every vendor's managers who is overdue")
def send_escalation_digests() -> int:

    return send_digests()


@shared_task(name="notices.remind_now", acks_late=True)
@system_scope("a manager's reminder, checked against their scope when queued")
def remind_now(delivery_ids: list[int], requested_by_id: int | None = None) -> int:

    with transaction.atomic():
        return send_manual_reminders(delivery_ids, requested_by_id)
