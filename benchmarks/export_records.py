"""Hand over the records of a vendor with 5,000 agents and 200,000 acknowledgements.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/export_records.py [--agents 5000] [--acks 200000]

The acknowledgements are written in bulk with real keyed audit records, chained (the
entries computed as the sealer computes them) and checkpointed, as the ledger holds
them in production. Then ``write_archive`` runs twice on the same data: timed without
tracing (``seconds``), then under ``tracemalloc`` (``peak_mb``: the peak of Python's
traced allocations during the export, in MiB). Memory is flat when ``peak_mb`` stays
the same with ``--acks 50000``. The archive is checked with ``verify_archive``.

Prints the archive's details, then as the last line:
{"agents": 5000, "acknowledgements": 200000, "seconds": ..., "peak_mb": ...}
"""

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from _django import benchmark_database

BATCH = 5000


def write_acknowledgements(agents, total, title):
    """``total`` acknowledgements of ``agents``, one per agent and version, each with its
    keyed audit record, across as many material versions of one notice as needed."""
    from _notices import publish_notice_for_everyone
    from django.utils import timezone

    from notices.models import Acknowledgement, NoticeVersion
    from portal.audit.chain import commitment, record_hash
    from portal.audit.models import AuditRecord, PersonalDetail

    notice = publish_notice_for_everyone(title)
    first = notice.versions.get()
    later = NoticeVersion.objects.bulk_create(
        [
            NoticeVersion(
                notice=notice,
                number=number,
                material=True,
                revision_id=first.revision_id,
                content=first.content,
                content_hash=first.content_hash,
            )
            for number in range(2, total // len(agents) + 2)
        ]
    )
    versions = [first, *later]
    now = timezone.now()
    written = 0
    for version in versions:
        for start in range(0, len(agents), BATCH):
            chunk = agents[start : start + BATCH][: total - written]
            if not chunk:
                return notice
            nonce = "0" * 32
            details = [
                {
                    "employee_number": agent.employee_number,
                    "ip_address": "203.0.113.7",
                    "user_agent": "Mozilla/5.0 (bench)",
                }
                for agent in chunk
            ]
            payloads = [
                {
                    "agent_id": agent.pk,
                    "personal": commitment(nonce, detail),
                    "notice_id": notice.pk,
                    "version_id": version.pk,
                    "statement": "읽고 이해했습니다.",
                    "acknowledged_at": now.isoformat(),
                }
                for agent, detail in zip(chunk, details, strict=True)
            ]
            records = AuditRecord.objects.bulk_create(
                [
                    AuditRecord(
                        kind=Acknowledgement.attested_kind,
                        payload=payload,
                        created_at=now,
                        record_hash=record_hash(Acknowledgement.attested_kind, payload, now),
                    )
                    for payload in payloads
                ]
            )
            PersonalDetail.objects.bulk_create(
                [
                    PersonalDetail(record=record, agent_id=agent.pk, nonce=nonce, details=detail)
                    for agent, record, detail in zip(chunk, records, details, strict=True)
                ]
            )
            Acknowledgement.objects.bulk_create(
                [
                    Acknowledgement(
                        agent=agent,
                        notice=notice,
                        version=version,
                        seen_version=version,
                        revision_id=version.revision_id,
                        content_hash=version.content_hash,
                        statement="읽고 이해했습니다.",
                        acknowledged_at=now,
                        on_time=True,
                        audit_record=record,
                    )
                    for agent, record in zip(chunk, records, strict=True)
                ]
            )
            written += len(chunk)
    return notice


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--acks", type=int, default=200_000)
    args = parser.parse_args()
    with benchmark_database(name="portal_bench_export"), tempfile.TemporaryDirectory() as out:
        from _notices import make_agents
        from django.conf import settings

        from handover.archive import verify_archive, write_archive
        from portal.audit.checkpoints import write_checkpoint
        from portal.organisation.models import Vendor

        settings.AUDIT_CHECKPOINT_DIR = Path(out) / "audit"
        started = time.perf_counter()
        agents = make_agents(args.agents, vendors=1, teams_per_vendor=20)
        vendor = Vendor.objects.get(pk=agents[0].vendor_id)
        # Another vendor's agents and acknowledgements, which the export must pass over.
        others = make_agents(100, vendors=1, teams_per_vendor=2)
        write_acknowledgements(agents, args.acks, "연말 배송 마감 안내")
        write_acknowledgements(others, 100, "다른 협력사 공지")
        # Sealed and checkpointed as the hourly checkpoint does.
        write_checkpoint()
        setup = time.perf_counter() - started

        started = time.perf_counter()
        path, manifest = write_archive(vendor, Path(out) / "timed")
        seconds = time.perf_counter() - started

        tracemalloc.start()
        write_archive(vendor, Path(out) / "traced")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        started = time.perf_counter()
        verdict = verify_archive(path)
        verify_seconds = time.perf_counter() - started
        counts = {e["name"]: e["records"] for e in manifest["files"]}
        assert verdict.intact, verdict.problems
        assert counts["acknowledgements.csv"] == args.acks, counts
        assert counts["agents.csv"] == args.agents, counts
        assert manifest["ledger"]["not_in_checkpoint"]["acknowledgements"] == 0
        print(
            json.dumps(
                {
                    "setup_seconds": round(setup, 1),
                    "archive_mb": round(path.stat().st_size / 2**20, 1),
                    "verify_seconds": round(verify_seconds, 1),
                    "checkpoint": manifest["ledger"]["checkpoint"]["records"],
                    "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1],
                }
            )
        )
        print(
            json.dumps(
                {
                    "agents": args.agents,
                    "acknowledgements": args.acks,
                    "seconds": round(seconds, 1),
                    "peak_mb": round(peak / 2**20, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
