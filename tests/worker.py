"""A real Celery worker in a subprocess, pointed at the test database and broker.

Tests that prove delivery use this, never eager mode. Use with
``pytest.mark.django_db(transaction=True)`` so the worker sees committed rows.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")


def database_url() -> str:
    """The URL of the database this test is using (the test database, not the main one)."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(conf['NAME']).resolve()}"
    auth = conf["USER"] or ""
    if conf["PASSWORD"]:
        auth += f":{conf['PASSWORD']}"
    return f"postgres://{auth}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{conf['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    hostname: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def celery_worker(name: str = "test", ready_timeout: float = 60, extra_env: dict | None = None):
    hostname = f"{name}-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
        **(extra_env or {}),
    }
    log_file = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    log_path = Path(log_file.name)
    command = [
        str(CELERY), "-A", "portal", "worker", "--pool=solo", "-n", hostname, "-l", "info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
    )
    worker = Worker(process, hostname, log_path)
    try:
        deadline = time.monotonic() + ready_timeout
        while " ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{worker.log()}")
            time.sleep(0.2)
        yield worker
    finally:
        stop(process)
        log_file.close()
        log_path.unlink(missing_ok=True)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, worker: Worker | None = None):
    """Poll ``predicate`` until it returns something truthy; fail with the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    detail = f"\nworker log:\n{worker.log()}" if worker else ""
    raise AssertionError(f"condition not met within {timeout} s{detail}")
