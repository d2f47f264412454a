"""Concurrent acknowledgements against a real server (gunicorn) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/ack_load.py [--concurrency 100] [--per-client 10]

Each of ``concurrency`` clients signs in as its own agents (sessions made directly) and
POSTs "I have read and understood" once per agent, while a real Celery worker with beat
seals the audit records as in production. The server is gunicorn as the Dockerfile runs
it (sync workers, ``2 * cores + 1``), warmed up first on both kinds of POST, so that
neither pays for the workers' first requests. On the same server the same clients make two
floors: the write floor, a signed-in POST inserting one row in a transaction (routed
only for this benchmark: BENCHMARK_WRITE_FLOOR), in turns with the acknowledgements, and
/healthz (no database). Prints, as its last line:
{"concurrency": 100, "rps": ..., "p95_ms": ..., "errors": ..., "floor_rps": ...,
 "write_floor_rps": ..., "seal_lag_p95_ms": ...}
(seal lag: from an audit record's writing to its place in the chain) and checks that
there is exactly one acknowledgement per agent afterwards, all sealed, the chain intact.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _django import ROOT, benchmark_database, database_url

CSRF = "b" * 32  # an unmasked CSRF secret, sent as both cookie and form field


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(url, cookie=None, body=None) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")  # noqa: S310 - http://127.0.0.1
    if cookie:
        request.add_header("Cookie", cookie)
    if body:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    started = time.perf_counter()
    try:
        status = OPENER.open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 599
    return status, (time.perf_counter() - started) * 1000


def start_server(env, port, workers, threads) -> tuple[subprocess.Popen, Path]:
    log = tempfile.NamedTemporaryFile(prefix="ack-load-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-tmp-dir", "/dev/shm", "--log-level", "warning",  # noqa: S108 - gunicorn heartbeat files
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        if call(f"http://127.0.0.1:{port}/healthz")[0] == 200:
            return process, Path(log.name)
        time.sleep(0.2)
    raise SystemExit(Path(log.name).read_text())


def sessions_for(agents) -> list[str]:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.accounts.sessions import REFRESHED_AT

    engine = import_module(settings.SESSION_ENGINE)
    keys = []
    for agent in agents:
        session = engine.SessionStore()
        session[SESSION_KEY] = str(agent.user_id)
        # The last backend signs people in; the first only throttles attempts.
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = agent.user.get_session_auth_hash()
        # As if the agent had just opened the notice: no idle-timeout refresh is due.
        session[REFRESHED_AT] = int(time.time())
        session.create()
        keys.append(session.session_key)
    return keys


def start_sealer(env) -> tuple[subprocess.Popen, Path]:
    """A Celery worker with beat, as ``run_portal`` starts them: it runs audit.seal."""
    log = tempfile.NamedTemporaryFile(prefix="ack-sealer-", suffix=".log", delete=False)  # noqa: SIM115
    celery = str(Path(sys.executable).with_name("celery"))
    schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
    command = [celery, "-A", "portal", "worker", "-B", "-s", str(schedule), "-l", "info",
               "--concurrency", "1", "--without-gossip", "--without-mingle"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        if " ready." in Path(log.name).read_text(errors="replace"):
            return process, Path(log.name)
        time.sleep(0.2)
    raise SystemExit(Path(log.name).read_text())


def run(jobs, concurrency):
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda job: call(*job), jobs))
    return results, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    # Sync workers, as in production (the Dockerfile); more threads measure another server.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warm-up", type=int, default=50, help="requests of each kind first")
    args = parser.parse_args()
    with benchmark_database(name="portal_bench_ack") as connection:
        from _notices import make_agents, publish_notice_for_everyone
        from django.conf import settings
        from django.utils import timezone

        from notices.delivery import create_deliveries
        from notices.models import Acknowledgement, Delivery
        from notices.versions import current_material_version
        from portal.audit.chain import verify_chain
        from portal.audit.models import ChainEntry
        from tests.smtp import free_port

        count = args.concurrency * args.per_client
        agents = make_agents(count + args.warm_up)
        notice = publish_notice_for_everyone()
        create_deliveries(current_material_version(notice), [a.pk for a in agents])
        # Agents confirm what they have opened: opening the notice marked it read.
        Delivery.objects.unscoped().filter(notice=notice).update(read_at=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for agent in agents:
            agent.user = agent.user  # loaded for the session hash
        keys = sessions_for(agents)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": database_url(connection),
            "BENCHMARK_WRITE_FLOOR": "1",
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9"),
        }
        connection.close()
        sealer, sealer_log = start_sealer(env)
        server, log = start_server(env, port, args.workers, args.threads)
        try:
            base = f"http://127.0.0.1:{port}"
            body = f"csrfmiddlewaretoken={CSRF}&revision={notice.live_revision_id}".encode()
            cookie = f"{settings.SESSION_COOKIE_NAME}={{}}; csrftoken={CSRF}"
            jobs = [
                (f"{base}/notices/{notice.pk}/acknowledge/", cookie.format(k), body) for k in keys
            ]
            write_body = f"csrfmiddlewaretoken={CSRF}".encode()
            writes = [(f"{base}/benchmark/write-floor", cookie.format(k), write_body) for k in keys]
            # The warm-up's agents acknowledge too (one each, as the others), unmeasured.
            warmed = [run(part[count:], args.concurrency)[0] for part in (jobs, writes)]
            jobs, writes = jobs[:count], writes[:count]
            # Acknowledgements and the write floor take turns, a half at a time, so that a
            # shared machine's drift weighs on both alike.
            results, written, seconds, write_seconds = [], [], 0.0, 0.0
            half = len(jobs) // 2
            for part in (slice(0, half), slice(half, None)):
                done, took = run(jobs[part], args.concurrency)
                results, seconds = results + done, seconds + took
                done, took = run(writes[part], args.concurrency)
                written, write_seconds = written + done, write_seconds + took
            floor, floor_seconds = run([(f"{base}/healthz",)] * len(jobs), args.concurrency)
            # Beat seals every AUDIT_SEAL_EVERY_SECONDS: wait for the last of them.
            for _ in range(300):
                if not verify_chain().pending:
                    break
                time.sleep(0.1)
        finally:
            server.terminate()
            sealer.terminate()
            server.wait(30)
            sealer.wait(30)
        errors = sum(1 for status, _ in results + warmed[0] if status != 303)
        errors += sum(1 for status, _ in warmed[1] if status != 204)
        errors += sum(1 for status, _ in written if status != 204)
        acks = Acknowledgement.objects.unscoped().filter(notice=notice)
        everyone = count + args.warm_up
        one_each = acks.count() == everyone == acks.values("agent").distinct().count()
        report = verify_chain()
        lags = [
            (entry.sealed_at - entry.record.created_at).total_seconds() * 1000
            for entry in ChainEntry.objects.select_related("record")
        ]
        print(
            f"  {len(results)} acknowledgements in {seconds:.1f} s; one per agent: {one_each}; "
            f"sealed {report.records}, pending {report.pending}, chain intact: "
            f"{report.intact}; server log: {log}; sealer log: {sealer_log}"
        )
        print(
            json.dumps(
                {
                    "concurrency": args.concurrency,
                    "rps": round(len(results) / seconds, 1),
                    "p95_ms": round(percentile([ms for _, ms in results], 95), 1),
                    "errors": errors,
                    "floor_rps": round(len(floor) / floor_seconds, 1),
                    "write_floor_rps": round(len(written) / write_seconds, 1),
                    "seal_lag_p95_ms": round(percentile(lags, 95), 1) if lags else None,
                }
            )
        )


if __name__ == "__main__":
    main()
