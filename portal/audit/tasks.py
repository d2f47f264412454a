"""The ledger's beat tasks: sealing pending records, writing and sending checkpoints."""

import logging

from celery import shared_task
from django.conf import settings

from portal.organisation.scoping import system_scope
from portal.queueing import queue

from .chain import SEAL_BATCH, seal
from .checkpoints import CheckpointRefused, email_checkpoint, post_checkpoint, write_checkpoint

logger = logging.getLogger(__name__)


@shared_task(name="audit.seal")
@system_scope("seals every vendor's audit records")
def seal_records(batch: int = SEAL_BATCH) -> int:
    return seal(batch)


@shared_task(name="audit.checkpoint")
@system_scope("seals and checkpoints every vendor's audit records")
def write_audit_checkpoint() -> str:
    written = write_checkpoint()
    if written is None:
        return "unchanged"
    path, body = written
    # One task per destination: a webhook that is down never sends the email twice. A
    # broker that is down fails nothing here (a records export anchors itself this way):
    # the checkpoint is on disk, and the next one is sent on.
    later = "the next checkpoint, sent on when written"
    if settings.AUDIT_CHECKPOINT_EMAILS:
        queue(email_audit_checkpoint, body, catches_up=later)
    if settings.AUDIT_CHECKPOINT_WEBHOOK:
        queue(post_audit_checkpoint, body, catches_up=later)
    return str(path)


@shared_task(
    name="audit.email_checkpoint", autoretry_for=(OSError,), retry_backoff=True, max_retries=8
)
def email_audit_checkpoint(body: dict) -> None:
    email_checkpoint(body)


@shared_task(
    name="audit.post_checkpoint", autoretry_for=(OSError,), retry_backoff=True, max_retries=8
)
def post_audit_checkpoint(body: dict) -> str:
    try:
        post_checkpoint(body)
    except CheckpointRefused as refusal:
        logger.error("audit checkpoint %s not taken: %s", body["records"], refusal)
        return "refused"
    return "sent"
