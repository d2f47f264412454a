"""One vendor's records as one archive, and the check of an archive against its manifest.

``write_archive`` writes ``records-<VENDOR>-<YYYYMMDD-HHMM>.zip``: for each kind of
record the apps register (``portal.records``) a ``<kind>.csv`` (UTF-8 with a BOM for
Excel, user text made inert, ``portal.tabular.inert``) and a ``<kind>.jsonl`` (JSON
Lines: one object a line, values as they are), then ``MANIFEST.json`` last: every
file's SHA-256, size and record count, hashed as the bytes stream out; the ledger
checkpoint the records are held to; and a keyed MAC of the manifest under
``AUDIT_KEY``, so that a manifest rewritten to match changed files is found as well.

Rows stream from the database to the archive (a kind's JSON Lines wait in a temporary
file while its CSV is written, ZIP writing one member at a time): memory does not grow
with the number of records. The archive is written under a temporary name and renamed
when complete: a failed export leaves no file behind.

``verify_archive`` recomputes everything and names each difference.
"""

import csv
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.audit.chain import canonical, keyed_hash
from portal.audit.checkpoints import genuine, latest_checkpoint
from portal.audit.tasks import write_audit_checkpoint
from portal.organisation.models import code_validator
from portal.records import record_kinds
from portal.tabular import inert

MANIFEST = "MANIFEST.json"
FORMAT = "portal-records/1"
#: Bytes gathered before they are hashed and written.
FLUSH_BYTES = 256 * 1024
#: Progress is reported after this many records (and after each kind).
PROGRESS_EVERY = 10_000
BLOCK = 1024 * 1024

Progress = Callable[[int, int, int], None]


def manifest_mac(manifest: dict) -> str:
    """The manifest's keyed MAC, as checkpoints are keyed (``portal.audit.chain``)."""
    body = {key: value for key, value in manifest.items() if key != "mac"}
    return keyed_hash("records-manifest", canonical(body))


def archive_name(vendor_code: str, moment) -> str:
    # The code names a file: one written past the form's validator (a shell, a fixture)
    # must not reach another folder.
    code_validator(vendor_code)
    return f"records-{vendor_code}-{timezone.localtime(moment):%Y%m%d-%H%M}.zip"


def portal_version() -> str:
    """``PORTAL_VERSION``, else the git commit the portal runs from, else nothing."""
    if settings.PORTAL_VERSION:
        return settings.PORTAL_VERSION
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607 - git from PATH, if any
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def anchor() -> tuple[str, dict] | None:
    """Seal pending audit records and checkpoint the chain, as ``audit_checkpoint``
    does (sent on as beat sends it), then the newest checkpoint: what every attested
    record already written is held to."""
    write_audit_checkpoint()
    return latest_checkpoint()


@dataclass
class _Member:
    """One file of the archive, hashed as its bytes are written."""

    name: str
    sink: object
    records: int = 0
    size: int = 0

    def __post_init__(self):
        self.digest = hashlib.sha256()
        self.pending: list[str] = []
        self.pending_size = 0

    def add(self, text: str) -> None:
        self.pending.append(text)
        self.pending_size += len(text)
        if self.pending_size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        data = "".join(self.pending).encode()
        self.pending, self.pending_size = [], 0
        self.digest.update(data)
        self.size += len(data)
        self.sink.write(data)

    def entry(self) -> dict:
        return {
            "name": self.name,
            "sha256": self.digest.hexdigest(),
            "bytes": self.size,
            "records": self.records,
        }


class _Line:
    """csv.writer's file: hands back the line it is given."""

    def write(self, text):
        return text


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return inert(value)


def write_archive(vendor, directory: Path, *, now=None, progress: Progress | None = None):
    """Write ``vendor``'s archive into ``directory``; returns (path, manifest).
    ``progress(kinds done, kinds in all, records written)`` is called as it goes."""
    now = now or timezone.now()
    checkpoint = anchor()
    held = checkpoint[1]["records"] if checkpoint else 0
    kinds = record_kinds()
    made = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    path = _free(directory / archive_name(vendor.code, now))
    handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{path.stem}-", suffix=".partial")
    os.close(handle)
    partial = Path(partial)
    files, beyond, written = [], {}, 0

    def report(done):
        if progress is not None:
            progress(done, len(kinds), written)

    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, kind in enumerate(kinds):
                with tempfile.TemporaryFile(dir=directory) as spool:
                    with archive.open(f"{kind.key}.csv", "w", force_zip64=True) as csv_file:
                        as_csv = _Member(f"{kind.key}.csv", csv_file)
                        as_jsonl = _Member(f"{kind.key}.jsonl", spool)
                        writer = csv.writer(_Line())
                        # A BOM so that Excel opens Korean text as UTF-8.
                        as_csv.add("\ufeff" + writer.writerow(kind.columns))
                        outside = 0
                        for row in kind.rows(vendor.pk):
                            as_csv.add(writer.writerow([_cell(value) for value in row.values()]))
                            as_jsonl.add(json.dumps(row, ensure_ascii=False) + "\n")
                            as_csv.records += 1
                            as_jsonl.records += 1
                            if kind.attested and (
                                row["chain_position"] is None or row["chain_position"] > held
                            ):
                                outside += 1
                            written += 1
                            if written % PROGRESS_EVERY == 0:
                                report(done)
                        as_csv.flush()
                        as_jsonl.flush()
                    # ZIP takes one member at a time: the JSON Lines follow the CSV.
                    spool.seek(0)
                    with archive.open(f"{kind.key}.jsonl", "w", force_zip64=True) as jsonl_file:
                        shutil.copyfileobj(spool, jsonl_file, BLOCK)
                files += [as_csv.entry(), as_jsonl.entry()]
                if kind.attested:
                    beyond[kind.key] = outside
                report(done + 1)
            manifest = {
                "format": FORMAT,
                "vendor": {"code": vendor.code, "name": vendor.name},
                "exported_at": timezone.localtime(now).isoformat(),
                "portal_version": portal_version(),
                "files": files,
                "ledger": {
                    # The checkpoint as written (its keyed hash included) and its file.
                    "checkpoint": checkpoint[1] if checkpoint else None,
                    "checkpoint_file": checkpoint[0] if checkpoint else None,
                    # Attested records sealed after the checkpoint, or still pending: none,
                    # unless they were written while the export ran.
                    "not_in_checkpoint": beyond,
                },
            }
            manifest["mac"] = manifest_mac(manifest)
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        if made and not any(directory.iterdir()):
            directory.rmdir()  # an export's own folder, left empty
        raise
    return path, manifest


def _free(path: Path) -> Path:
    """``path``, or with ``-2``, ``-3``... when an archive of that minute exists."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


# --- Verifying ------------------------------------------------------------------------


def _measure(archive: zipfile.ZipFile, name: str) -> tuple[str, int, int]:
    """SHA-256, bytes and records of one member, read once in blocks: a member of one
    endless line (a zip bomb) costs no more memory than any other. Records are lines
    (JSON Lines), or a CSV's rows after its header, a newline inside quotes not ending
    one (a doubled quote toggles twice, so escapes keep the count right)."""
    digest, size, lines, quoted, last = hashlib.sha256(), 0, 0, False, b"\n"
    csv_rows = name.endswith(".csv")
    with archive.open(name) as member:
        while block := member.read(BLOCK):
            digest.update(block)
            size += len(block)
            last = block[-1:]
            if not csv_rows:
                lines += block.count(b"\n")
                continue
            parts = block.split(b'"')
            for index, part in enumerate(parts):
                if not quoted:
                    lines += part.count(b"\n")
                if index < len(parts) - 1:
                    quoted = not quoted
    if size and last != b"\n":
        lines += 1  # the last line, unterminated
    return digest.hexdigest(), size, max(lines - 1, 0) if csv_rows else lines


#: What a damaged or hostile archive raises while read: a bad or encrypted member, an
#: unknown compression, a truncated stream, a manifest nested past the parser's depth.
_UNREADABLE = (
    OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, RuntimeError,
    NotImplementedError, RecursionError, zipfile.BadZipFile, zlib.error,
)  # fmt: skip
#: A manifest lists a dozen files: far below this.
MAX_MANIFEST_BYTES = 1024 * 1024


@dataclass
class Verdict:
    manifest: dict | None
    problems: list[str]
    files: int = 0
    records: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_archive(path: Path) -> Verdict:
    """Every difference between the archive at ``path`` and its manifest, by name: a
    changed, missing, extra or unreadable file, a wrong count, a manifest whose keyed
    MAC does not match, an archive that cannot be opened."""
    try:
        archive = zipfile.ZipFile(path)
    except _UNREADABLE as error:
        return Verdict(None, [f"{path.name}: unreadable archive ({error})"])
    with archive:
        names = archive.namelist()
        problems = [
            f"{name}: in the archive twice"
            for name, times in sorted(Counter(names).items())
            if times > 1
        ]
        if MANIFEST not in names:
            return Verdict(None, [*problems, f"{MANIFEST}: missing"])
        if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
            return Verdict(None, [*problems, f"{MANIFEST}: larger than any manifest"])
        try:
            manifest = json.loads(archive.read(MANIFEST))
            listed = {str(entry["name"]): entry for entry in manifest["files"]}
            checkpoint = manifest["ledger"]["checkpoint"]
        except _UNREADABLE as error:
            return Verdict(None, [*problems, f"{MANIFEST}: unreadable ({error})"])
        if manifest.get("mac") != manifest_mac(manifest):
            problems.append(
                f"{MANIFEST}: its keyed MAC does not match (edited, or not written by this portal)"
            )
        if checkpoint is not None and not genuine(checkpoint):
            problems.append(f"{MANIFEST}: the ledger checkpoint's keyed hash does not match")
        problems += [
            f"{name}: extra file, not in the manifest"
            for name in dict.fromkeys(names)
            if name != MANIFEST and name not in listed
        ]
        records = 0
        for name, entry in listed.items():
            if name not in names:
                problems.append(f"{name}: missing")
                continue
            try:
                sha256, size, count = _measure(archive, name)
            except _UNREADABLE as error:
                problems.append(f"{name}: unreadable ({error})")
                continue
            if sha256 != entry.get("sha256"):
                problems.append(f"{name}: changed (its SHA-256 is not the manifest's)")
            if size != entry.get("bytes"):
                problems.append(f"{name}: {size} bytes, the manifest says {entry.get('bytes')}")
            if count != entry.get("records"):
                problems.append(
                    f"{name}: {count} records, the manifest says {entry.get('records')}"
                )
            if name.endswith(".csv"):
                records += count
        return Verdict(manifest, problems, files=len(listed), records=records)
