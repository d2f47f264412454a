"""Real web servers in subprocesses (gunicorn, as the Dockerfile runs it), on the test
database: what several web processes of one deployment do at once, which Django's
in-process live server (one process) cannot show.

Use with ``pytest.mark.django_db(transaction=True)`` so the servers see committed rows.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.smtp import free_port
from tests.worker import ROOT, database_url, stop

GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class WebServer:
    process: subprocess.Popen
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http://127.0.0.1
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def web_servers(count: int, ready_timeout: float = 60, threads: int = 4):
    """``count`` servers of one process each (``threads`` requests at a time), started
    side by side; yields them once each answers ``/healthz``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
    }
    servers, log_files = [], []
    try:
        for _ in range(count):
            port = free_port()
            log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115
                prefix="web-server-", suffix=".log", delete=False
            )
            log_files.append(log_file)
            command = [
                str(GUNICORN), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "1", "--threads", str(threads), "--log-level", "warning",
                "--worker-tmp-dir", "/dev/shm",  # noqa: S108 - gunicorn heartbeat files
            ]  # fmt: skip
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
            servers.append(WebServer(process, f"http://127.0.0.1:{port}", Path(log_file.name)))
        deadline = time.monotonic() + ready_timeout
        for server in servers:
            while not _answers(f"{server.url}/healthz"):
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"web server did not start:\n{server.log()}")
                time.sleep(0.2)
        yield servers
    finally:
        # Quickly: what a test asked of them is answered by now.
        stop(*(server.process for server in servers), how=signal.SIGINT)
        for log_file in log_files:
            log_file.close()
            Path(log_file.name).unlink(missing_ok=True)
