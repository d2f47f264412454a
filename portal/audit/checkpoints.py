"""Checkpoints: the chain's length and head, keyed, kept outside the database.

Whoever holds the database can delete the newest records with their chain entries, or
empty the tables, and what is left still verifies. A checkpoint written earlier does
not: it names how long the chain was and what its last entry's hash was then, under
``AUDIT_KEY``. ``write_checkpoint`` seals what is pending and writes one into
``AUDIT_CHECKPOINT_DIR`` (one file per chain length); ``send_checkpoint`` also sends it
to the addresses and the URL configured, so a copy lives beyond this host too;
``verify_checkpoints`` holds the chain to every checkpoint in the directory.
"""

import json
import os
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .chain import canonical, keyed_hash, seal
from .models import ChainEntry

PATTERN = "checkpoint-*.json"
#: Seconds to wait for the checkpoint webhook.
WEBHOOK_TIMEOUT = 10


def _mac(body: dict) -> str:
    return keyed_hash("checkpoint", canonical({k: v for k, v in body.items() if k != "mac"}))


def directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def genuine(body: dict) -> bool:
    """Whether ``body`` is a checkpoint this portal's key wrote, unchanged."""
    try:
        return str(body["mac"]) == _mac(body)
    except (KeyError, TypeError):
        return False


def latest_checkpoint() -> tuple[str, dict] | None:
    """The newest genuine checkpoint in the directory (its file name and body), or None;
    an unreadable or forged file is passed over (``verify_checkpoints`` names it)."""
    for path in sorted(directory().glob(PATTERN), reverse=True):
        try:
            body = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(body, dict) and genuine(body):
            return path.name, body
    return None


def write_checkpoint(now=None) -> tuple[Path, dict] | None:
    """Seal, then write a checkpoint of the chain as it stands; None when there is no
    chain yet or the chain has not grown since the last checkpoint (its file exists)."""
    seal(everything=True)
    head = ChainEntry.objects.order_by("-position").values_list("position", "entry_hash").first()
    if head is None:
        return None
    records, head_hash = head
    path = directory() / f"checkpoint-{records:012d}.json"
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "records": records,
        "head": head_hash,
        "written_at": (now or timezone.now()).isoformat(),
    }
    body["mac"] = _mac(body)
    # Written whole or not at all: a reader never sees half a checkpoint.
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(body, indent=2) + "\n")
    os.replace(partial, path)
    return path, body


def email_checkpoint(body: dict) -> None:
    """Send a checkpoint to ``AUDIT_CHECKPOINT_EMAILS``; SMTP errors (OSError) may be
    retried."""
    send_mail(
        f"Audit checkpoint: {body['records']} records",
        "Keep this message: verify_audit can prove the audit trail against it.\n\n"
        + json.dumps(body, indent=2),
        settings.DEFAULT_FROM_EMAIL,
        settings.AUDIT_CHECKPOINT_EMAILS,
    )


class CheckpointRefused(Exception):
    """The webhook answered that it will never take this checkpoint: do not retry."""


def post_checkpoint(body: dict) -> None:
    """POST a checkpoint to ``AUDIT_CHECKPOINT_WEBHOOK``. A connection error, a timeout,
    a 5xx, 408 or 429 raise OSError (retry); any other 4xx, ``CheckpointRefused``."""
    url = settings.AUDIT_CHECKPOINT_WEBHOOK
    if not url.startswith(("https://", "http://")):
        raise CheckpointRefused(f"AUDIT_CHECKPOINT_WEBHOOK must be an http(s) URL, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT):  # noqa: S310
            pass
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise CheckpointRefused(f"{url} answered HTTP {error.code}") from error
        raise


def send_checkpoint(body: dict) -> None:
    """Send a checkpoint everywhere configured, now (the command's way; beat's task
    sends to each destination through its own retried task)."""
    if settings.AUDIT_CHECKPOINT_EMAILS:
        email_checkpoint(body)
    if settings.AUDIT_CHECKPOINT_WEBHOOK:
        post_checkpoint(body)


def verify_checkpoints() -> tuple[int, list[str]]:
    """How many checkpoints there are, and where the chain disagrees with any of them;
    records sealed more than two checkpoint intervals ago must be in one."""
    found = []
    problems = []
    for path in sorted(directory().glob(PATTERN)):
        try:
            body = json.loads(path.read_text())
            records, head, mac = int(body["records"]), str(body["head"]), str(body["mac"])
        except (OSError, ValueError, KeyError, TypeError):
            problems.append(f"checkpoint {path.name}: unreadable")
            continue
        if mac != _mac(body):
            problems.append(f"checkpoint {path.name}: its keyed hash does not match (forged?)")
            continue
        found.append((path.name, records, head, body.get("written_at", "")))
    positions = [records for _, records, _, _ in found]
    hashes = dict(
        ChainEntry.objects.filter(position__in=positions).values_list("position", "entry_hash")
    )
    length = ChainEntry.objects.order_by("-position").values_list("position", flat=True).first()
    newest = max(positions, default=0)
    stale = timezone.now() - timedelta(seconds=2 * settings.AUDIT_CHECKPOINT_EVERY_SECONDS)
    uncovered = ChainEntry.objects.filter(position__gt=newest, sealed_at__lt=stale)
    if uncovered.exists():
        problems.append(
            f"positions {newest + 1}-{uncovered.order_by('-position')[0].position}: sealed "
            f"before {stale:%Y-%m-%d %H:%M} UTC and in no checkpoint (were checkpoints "
            "removed, or is audit_checkpoint not running?)"
        )
    for name, records, head, written_at in found:
        if records not in hashes:
            problems.append(
                f"checkpoint {name}: the chain had {records} records at {written_at}; "
                f"it now has {length or 0}"
            )
        elif hashes[records] != head:
            problems.append(
                f"checkpoint {name}: the entry at position {records} is not the one "
                f"recorded at {written_at} (the chain was rewritten)"
            )
    return len(found), problems
