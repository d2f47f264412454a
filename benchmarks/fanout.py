"""Fan-out of one notice to N agents through a real worker, Redis and an SMTP server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/fanout.py [--agents 10000]

Uses Redis database 14, emptied first (``--broker`` to change, e.g. to RabbitMQ), a
Celery worker subprocess (prefork, 2 processes) and an aiosmtpd server in this process.
Prints, as its last line:
{"agents": N, "deliveries": ..., "emails": ..., "seconds": ..., "queries_per_1000": ...,
 "delivery_rows_seconds": ..., "raw_insert_seconds": ...}
``seconds`` runs from the publish (in a warm process) to the last email received;
``delivery_rows_seconds`` is the time ``create_deliveries`` takes for N agents (chunks of
500, as the task does) and ``raw_insert_seconds`` one raw ``INSERT … SELECT`` of the same
rows: the floor.
"""

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _django import ROOT, benchmark_database, database_url


def start_worker(env) -> tuple[subprocess.Popen, Path]:
    log = tempfile.NamedTemporaryFile(prefix="fanout-worker-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        str(Path(sys.executable).with_name("celery")), "-A", "portal", "worker",
        "--pool=prefork", "--concurrency=2", "-l", "warning", "-n", "fanout@localhost",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    time.sleep(4)  # prefork children start and connect
    if process.poll() is not None:
        raise SystemExit(Path(log.name).read_text())
    return process, Path(log.name)


def count_queries(run) -> int:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        run()
    return len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    os.environ["CELERY_BROKER_URL"] = args.broker
    # aiosmtpd logs every SMTP command at INFO: 60,000 lines would time the logging.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    if args.broker.startswith("redis://"):
        subprocess.run(["redis-cli", "-u", args.broker, "flushdb"], check=True, capture_output=True)

    with benchmark_database(name="portal_bench_fanout") as connection:
        from _notices import make_agents, publish_notice_for_everyone
        from django.conf import settings

        from notices.delivery import create_deliveries
        from notices.models import Delivery, NoticeDispatch
        from notices.tasks import CHUNK, deliver_chunk
        from notices.versions import current_material_version
        from tests.smtp import smtp_server

        agents = make_agents(args.agents)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        with smtp_server() as (inbox, port):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "portal.settings.test",
                "DATABASE_URL": database_url(connection),
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(port),
                "CELERY_BROKER_URL": args.broker,
            }
            # The clock starts at a publish in a warm process, as a web server's is: the
            # site tree, the notices section and this process's first publish are set-up.
            publish_notice_for_everyone("준비", audience_everyone=False)
            worker, log = start_worker(env)
            try:
                started = time.perf_counter()
                notice = publish_notice_for_everyone()
                version = current_material_version(notice)
                deliveries = Delivery.objects.unscoped().filter(version=version)
                while len(inbox.messages) < args.agents:
                    if time.perf_counter() - started > 600 or worker.poll() is not None:
                        raise SystemExit(f"fan-out stalled:\n{log.read_text()[-3000:]}")
                    time.sleep(0.2)
                seconds = time.perf_counter() - started
                delivered = deliveries.count()
                emails = len(inbox.messages)
            finally:
                worker.terminate()
                worker.wait(30)
        print(f"  fan-out: {delivered} deliveries, {emails} emails in {seconds:.1f} s")

        # The same task code in this process, for 1,000 agents, with an in-memory mailbox.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        sample = publish_notice_for_everyone("쿼리 수 측정")
        dispatch = NoticeDispatch.objects.filter(version__notice=sample).first()
        ids = [a.pk for a in agents[:1000]]
        queries = count_queries(
            lambda: [
                deliver_chunk(dispatch.pk, ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)
            ]
        )

        rows_notice = publish_notice_for_everyone("행 생성 측정")
        rows_version = current_material_version(rows_notice)
        all_ids = [a.pk for a in agents]
        timer = time.perf_counter()
        for i in range(0, len(all_ids), CHUNK):
            create_deliveries(rows_version, all_ids[i : i + CHUNK])
        delivery_rows_seconds = time.perf_counter() - timer

        raw_notice = publish_notice_for_everyone("원시 INSERT 측정")
        raw_version = current_material_version(raw_notice)
        timer = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO notices_delivery (version_id, notice_id, agent_id, created_at,"
                " email_status, email_attempts, email_error)"
                " SELECT %s, %s, id, now(), 'pending', 0, '' FROM organisation_agentprofile",
                [raw_version.pk, raw_notice.pk],
            )
        raw_insert_seconds = time.perf_counter() - timer
        print(
            json.dumps(
                {
                    "agents": args.agents,
                    "deliveries": delivered,
                    "emails": emails,
                    "seconds": round(seconds, 1),
                    "queries_per_1000": round(queries * 1000 / len(ids)),
                    "delivery_rows_seconds": round(delivery_rows_seconds, 3),
                    "raw_insert_seconds": round(raw_insert_seconds, 3),
                }
            )
        )


if __name__ == "__main__":
    main()
