"""Password-reset email through a real SMTP server, in the account's language."""

from email import message_from_bytes

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.smtp import smtp_server as running_smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_server(settings):
    with running_smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield inbox


@pytest.mark.parametrize(("language", "greeting"), [("ko", "안녕하세요"), ("en", "Hello")])
def test_the_reset_email_goes_out_over_smtp_in_the_accounts_language(
    client, smtp_server, language, greeting
):
    UserFactory(username="minji", name="김민지", email="minji@example.com", language=language)
    response = client.post(reverse("password_reset"), {"email": "minji@example.com"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["minji@example.com"]
    message = message_from_bytes(envelope.content)
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert greeting in body
    assert "/accounts/password/reset/" in body
