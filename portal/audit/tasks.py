"""The ledger's beat tasks: sealing pending records, writing and sending checkpoints."""

from celery import shared_task

from portal.organisation.scoping import system_scope

from .chain import SEAL_BATCH, seal
from .checkpoints import send_checkpoint, write_checkpoint


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
    send_audit_checkpoint.delay(body)
    return str(path)


@shared_task(
    name="audit.send_checkpoint",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def send_audit_checkpoint(body: dict) -> None:
    send_checkpoint(body)
