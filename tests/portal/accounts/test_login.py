"""Sign-in, sign-out, throttling, session expiry and language."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import LoginFailure
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password=DEFAULT_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_korean_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="ko"' in response.text
    assert "로그인" in response.text


def test_sign_in_and_out(client):
    user = UserFactory(username="minji")
    response = login(client, "minji")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused_and_counted(client):
    UserFactory(username="minji")
    response = login(client, "minji", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username_key="minji").count() == 1


def test_an_account_is_refused_after_too_many_failures_even_with_the_right_password(client):
    UserFactory(username="minji")
    LoginFailure.objects.bulk_create(
        [LoginFailure(username_key="minji") for _ in range(settings.LOGIN_FAILURE_LIMIT)]
    )
    response = login(client, "MinJi")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "로그인 실패가 너무 많습니다" in response.text


def test_failures_older_than_the_window_do_not_count(client):
    UserFactory(username="minji")
    LoginFailure.objects.bulk_create(
        [LoginFailure(username_key="minji") for _ in range(settings.LOGIN_FAILURE_LIMIT)]
    )
    LoginFailure.objects.update(
        failed_at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    )
    assert login(client, "minji").status_code == 302


def test_ninety_nine_failures_still_allow_the_right_password(client):
    UserFactory(username="minji")
    LoginFailure.objects.bulk_create(
        [LoginFailure(username_key="minji") for _ in range(settings.LOGIN_FAILURE_LIMIT - 1)]
    )
    assert login(client, "minji").status_code == 302


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="editor", is_superuser=True)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username_key="editor") for _ in range(settings.LOGIN_FAILURE_LIMIT)]
    )
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "editor", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sessions_expire_after_thirty_idle_minutes(client):
    UserFactory(username="minji")
    login(client, "minji")
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    expiry = client.session.get_expiry_date()
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)

    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_by_email(client):
    user = UserFactory(username="minji", email="minji@example.com", language="ko")
    response = client.post(reverse("password_reset"), {"email": "minji@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/password/reset/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "새-비밀번호-2026!", "new_password2": "새-비밀번호-2026!"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("새-비밀번호-2026!")


def test_password_reset_for_an_unknown_address_says_nothing_different(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_switching_language_is_remembered_on_the_account(client):
    user = UserFactory(username="minji")
    login(client, "minji")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in client.get(reverse("password_change")).text


def test_signing_in_applies_the_accounts_language(client):
    UserFactory(username="james", language="en")
    login(client, "james")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
