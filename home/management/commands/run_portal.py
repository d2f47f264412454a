"""python manage.py run_portal — the web server, a Celery worker and Celery beat together.

Used by ``make demo`` (``make demo PORT=8100`` for another port). Each child's output
is prefixed with its name; Ctrl-C (or SIGTERM) stops all three, and if one of them dies
the others are stopped too, so the demo never runs half-alive (a portal whose notices
are never sent).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from portal.organisation.scoping import ScopedCommand

STOP_TIMEOUT = 10


def children_environment(environ, host: str, port: int) -> dict:
    """The environment of web, worker and beat: links in emails (sent by the worker) lead
    where this portal answers, unless ``PORTAL_BASE_URL`` names the public address."""
    env = dict(environ)
    if not env.get("PORTAL_BASE_URL"):
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
        env["PORTAL_BASE_URL"] = f"http://{shown}:{port}"
    return env


class Command(ScopedCommand):
    help = "Run the web server, a Celery worker and Celery beat until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        celery = str(Path(sys.executable).with_name("celery"))
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
        commands = {
            "web": [
                sys.executable, manage, "runserver", "--noreload",
                f"{options['host']}:{options['port']}",
            ],
            "worker": [celery, "-A", "portal", "worker", "-l", "info", "--concurrency", "2"],
            "beat": [
                celery, "-A", "portal", "beat", "-l", "info",
                "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }  # fmt: skip
        env = children_environment(os.environ, options["host"], options["port"])
        children = {name: self._start(name, command, env) for name, command in commands.items()}
        stopping = threading.Event()

        def request_stop(signum, frame):
            stopping.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(
            self.style.SUCCESS(
                f"Portal running at http://{options['host']}:{options['port']}/ "
                "with a Celery worker and beat. Ctrl-C stops everything."
            )
        )
        died = None
        while not stopping.is_set() and died is None:
            died = next((name for name, p in children.items() if p.poll() is not None), None)
            stopping.wait(0.5)
        self._stop_all(children)
        if died is not None:
            raise CommandError(
                f"The {died} process exited (code {children[died].returncode}); "
                "stopped the others. Its output is above."
            )
        self.stdout.write("Stopped.")

    def _start(self, name, command, env):
        process = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            # Own process group: the terminal's Ctrl-C reaches us, and we stop children in order.
            start_new_session=True,
        )
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        return process

    def _relay(self, name, process):
        for line in process.stdout:
            self.stdout.write(f"{name:>6} | {line.rstrip()}")

    def _stop_all(self, children):
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in children.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
