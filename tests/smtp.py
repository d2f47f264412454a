"""A real SMTP server (aiosmtpd) on a free local port, collecting what it receives."""

import socket
from contextlib import contextmanager
from email import message_from_bytes

from aiosmtpd.controller import Controller


class SmtpInbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self):
        return [message_from_bytes(envelope.content) for envelope in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server():
    """Yields (inbox, port)."""
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
