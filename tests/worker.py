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
    #: A queue only this worker consumes (besides the default one), when asked for:
    #: ``task.apply_async(queue=worker.queue)`` runs the task on this worker.
    queue: str | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def celery_worker(name: str = "test", ready_timeout: float = 60, extra_env: dict | None = None):
    with celery_workers([name], ready_timeout, extra_env) as (worker,):
        yield worker


@contextmanager
def celery_workers(
    names: list[str],
    ready_timeout: float = 60,
    extra_env: dict | None = None,
    own_queues: bool = False,
):
    """One worker per name, started side by side (their start-ups overlap); with
    ``own_queues``, each also consumes a queue of its own (``Worker.queue``), emptied
    first."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
        **(extra_env or {}),
    }
    # Named after the worker, not its host name: a test's queues are the same on every
    # run, so none piles up on the broker.
    queues = {name: f"tests.{name}" if own_queues else None for name in names}
    if own_queues:
        empty_broker(*queues.values())
    workers, log_files = [], []
    try:
        for name in names:
            hostname = f"{name}-{uuid.uuid4().hex[:8]}@localhost"
            queue = queues[name]
            log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115
                prefix="celery-worker-", suffix=".log", delete=False
            )
            log_files.append(log_file)
            command = [
                str(CELERY), "-A", "portal", "worker", "--pool=solo", "--concurrency=1",
                "-n", hostname, "-l", "info",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
            # --concurrency=1: a solo worker runs one task at a time, and so takes one
            # message at a time (the prefetch is the concurrency, else the CPU count).
            if queue:
                from portal.celery import app

                command += ["-Q", f"{app.conf.task_default_queue},{queue}"]
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
            workers.append(Worker(process, hostname, Path(log_file.name), queue))
        deadline = time.monotonic() + ready_timeout
        for worker in workers:
            while " ready." not in worker.log():
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Celery worker did not start:\n{worker.log()}")
                time.sleep(0.2)
        yield workers
    finally:
        stop(*(worker.process for worker in workers))
        for log_file in log_files:
            log_file.close()
            Path(log_file.name).unlink(missing_ok=True)


def empty_broker(*queues: str) -> None:
    """Drop every message a test or an earlier run left in the broker (the default
    queue, or ``queues``), so a worker runs only what its own test queues (not a chunk
    of another test's fan-out, whose ids may name rows of this one). The broker is the
    tests' own: a Redis database, a RabbitMQ vhost or a folder that nothing else uses
    (``.ci/run``)."""
    from portal.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        named = [app.amqp.queues.new_missing(queue) for queue in queues]
        # Declared first (as the worker will declare it), then emptied.
        app.amqp.TaskConsumer(channel, queues=named or None).purge()
        if not queues and hasattr(channel, "unacked_key"):
            # Redis keeps a dead worker's messages aside and hands them back only after
            # the visibility timeout, possibly in the middle of a later run's test.
            channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def stop(*processes: subprocess.Popen, timeout: float = 15, how=signal.SIGTERM) -> None:
    """Ask each process to finish (a worker ends its task first), then wait for all."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.send_signal(how)
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
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
