"""What every email the portal sends shares: links that work from a mail client, and a
message in its reader's language from a subject, a text and an HTML template."""

import re
import uuid
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape


def site_url(path_or_page) -> str:
    """An absolute link: a path of the portal (``/training/``) or a page's URL."""
    url = path_or_page if isinstance(path_or_page, str) else (path_or_page.get_url() or "")
    if url.startswith("/"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


def personal_email(user, templates: str, context: dict, *, connection=None, subject=None):
    """An email to ``user`` in their language.

    ``templates`` names ``<templates>.txt`` and ``<templates>.html`` (and, unless
    ``subject`` is given, ``<templates>_subject.txt``); their context has the reader's
    ``name`` and the ``portal_name`` besides ``context``.
    """
    context = {
        "name": user.get_full_name(),
        "portal_name": settings.WAGTAIL_SITE_NAME,
        **context,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if subject is None:
            subject = render_to_string(f"{templates}_subject.txt", context)
        text = render_to_string(f"{templates}.txt", context)
        html = render_to_string(f"{templates}.html", context)
    message = EmailMultiAlternatives(
        " ".join(str(subject).split()), text, to=[user.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


class MailMerge:
    """One message for many readers, built by Django once and copied per reader.

    Building and serialising a MIME message costs about a millisecond, most of a
    fan-out's time per email. The message is the same for every reader of a notice but
    for their address, name, Message-ID and date, so Django builds it once with a token
    in each of those places, and each reader's copy is those bytes with the tokens
    replaced. The bodies are 8-bit, so a name goes in as its UTF-8 bytes; a copy that
    would need different encoding (a line over the 998-byte limit, a line break in a
    name, an address that is not plain ASCII) is not made: ``copy`` returns ``None`` and the
    caller builds that message the usual way.
    """

    #: The longest name, in bytes once escaped for HTML, that a copy takes.
    NAME_LIMIT = 256
    _LINE_LIMIT = 998  # RFC 5322; Django switches a body to quoted-printable beyond it

    def __init__(self, *, subject: str, text: str, html: str, name_token: str):
        """``text`` and ``html`` hold ``name_token`` where the reader's name goes (the
        HTML one is escaped when copied)."""
        tokens = uuid.uuid4().hex
        self._tokens = {
            "text_name": f"MERGE-TEXT-{tokens}",
            "html_name": f"MERGE-HTML-{tokens}",
            "to": f"merge-to-{tokens}@merge.invalid",
            "message_id": f"<merge-id-{tokens}@merge.invalid>",
            "date": f"MERGE-DATE-{tokens}",
        }
        message = EmailMultiAlternatives(
            subject,
            text.replace(name_token, self._tokens["text_name"]),
            to=[self._tokens["to"]],
            # In the order Django writes them when it dates a message itself.
            headers={"Date": self._tokens["date"], "Message-ID": self._tokens["message_id"]},
        )
        message.attach_alternative(html.replace(name_token, self._tokens["html_name"]), "text/html")
        self._encoding = message.encoding or settings.DEFAULT_CHARSET
        self.sender = sanitize_address(message.from_email, self._encoding)
        mime = message.message()
        data = mime.as_bytes(linesep="\r\n")
        self._boundary = (mime.get_boundary() or "").encode()
        self._pieces = self._split(data) if self._mergeable(mime, data) else None

    def _mergeable(self, mime, data: bytes) -> bool:
        if not self._boundary:
            return False
        if any(part.get("Content-Transfer-Encoding") != "8bit" for part in mime.get_payload()):
            return False
        for line in data.split(b"\r\n"):
            names = line.count(self._tokens["text_name"].encode()) + line.count(
                self._tokens["html_name"].encode()
            )
            if names and len(line) + names * self.NAME_LIMIT > self._LINE_LIMIT:
                return False
        return True

    def _split(self, data: bytes) -> list:
        """The bytes between tokens, and each token's key in its place."""
        by_token = {token.encode(): key for key, token in self._tokens.items()}
        pattern = re.compile(b"|".join(re.escape(token) for token in by_token))
        pieces, start = [], 0
        for match in pattern.finditer(data):
            pieces.append(data[start : match.start()])
            pieces.append(by_token[match.group()])
            start = match.end()
        pieces.append(data[start:])
        return pieces

    def copy(self, *, to: str, name: str, message_id: str) -> tuple[str, bytes] | None:
        """``(envelope recipient, message bytes)`` for one reader, or ``None`` when this
        reader's message must be built the usual way."""
        if self._pieces is None or any(char in name for char in "\r\n\x00"):
            return None
        # Only a plain address is its own sanitised form and To header; parsing one
        # costs a quarter of a millisecond, and a quoted or encoded one is written
        # differently in the envelope and the header.
        if not _PLAIN_ADDRESS.fullmatch(to) or "=?" in to:
            return None
        if _folded("To", to) or _folded("Message-ID", message_id):
            return None
        values = {
            "text_name": name.encode(),
            "html_name": escape(name).encode(),
            "to": to.encode(),
            "message_id": message_id.encode(),
            "date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode(),
        }
        # Escaping only lengthens a name and leaves the boundary's characters alone.
        if len(values["html_name"]) > self.NAME_LIMIT or self._boundary in values["text_name"]:
            return None
        return to, b"".join(
            piece if isinstance(piece, bytes) else values[piece] for piece in self._pieces
        )


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_FOLDABLE = re.compile(r"[\s,;]|[^\x21-\x7e]")


def _folded(header: str, value: str) -> bool:
    """Whether the email package would write this header over more than one line (at
    78 characters, or at a space or comma): such a value is not copied as is."""
    return len(header) + 2 + len(value) > 78 or bool(_FOLDABLE.search(value))
