"""Seal what is pending and write a checkpoint of the audit chain outside the database."""

import json

from django.core.management.base import CommandError

from portal.audit.checkpoints import CheckpointRefused, send_checkpoint, write_checkpoint
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = (
        "Seal pending audit records, then write the chain's length and head, keyed, to "
        "AUDIT_CHECKPOINT_DIR and send it to AUDIT_CHECKPOINT_EMAILS / _WEBHOOK."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    @system_scope("seals and checkpoints every vendor's records")
    def handle(self, *args, **options):
        written = write_checkpoint()
        if written is None:
            self.stdout.write("No new checkpoint: the chain has not grown since the last one.")
            if options["json"]:
                self.stdout.write(json.dumps({"written": None}))
            return
        path, body = written
        self.stdout.write(self.style.SUCCESS(f"Checkpoint of {body['records']} records: {path}"))
        try:
            send_checkpoint(body)
        except (OSError, CheckpointRefused) as error:
            raise CommandError(
                f"the checkpoint is written ({path}) but could not be sent: {error}"
            ) from error
        if options["json"]:
            self.stdout.write(json.dumps({"written": str(path), **body}))
