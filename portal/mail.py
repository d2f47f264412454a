"""What every email the portal sends shares: links that work from a mail client, and a
message in its reader's language from a subject, a text and an HTML template."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


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
        "name": user.get_full_name() or user.username,
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
