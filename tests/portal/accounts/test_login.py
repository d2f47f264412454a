"""Sign-in, sign-out, throttling by account and address, session expiry and language."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from portal.accounts.tasks import forget_expired_sign_in_failures
from portal.accounts.views import locked_out
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


ADDRESS_A = "203.0.113.7"
ADDRESS_B = "198.51.100.20"


def login_from(client, address, username, password=DEFAULT_PASSWORD, url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail_until_the_limit(client, username, address=ADDRESS_A):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login_from(client, address, username, "wrong")


def test_wrong_password_is_refused_and_counted_for_the_account_and_address(client):
    UserFactory(username="minji")
    response = login_from(client, ADDRESS_A, "minji", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "minji",
        ADDRESS_A,
        1,
    )


def test_a_flood_from_one_address_does_not_lock_the_person_out_from_theirs(client):
    user = UserFactory(username="minji")
    fail_until_the_limit(client, "minji", ADDRESS_A)

    refused = login_from(client, ADDRESS_A, "minji")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session

    response = login_from(client, ADDRESS_B, "minji")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_guesses_spread_over_many_addresses_meet_a_ceiling_per_account(client, settings):
    settings.LOGIN_ACCOUNT_FAILURE_CEILING = 6
    UserFactory(username="minji")
    for host in range(1, 7):
        login_from(client, f"198.51.100.{host}", "minji", "wrong")
    refused = login_from(client, "198.51.100.99", "minji")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_says_why_on_the_login_page(client):
    UserFactory(username="minji")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail_until_the_limit(client, "minji")
    response = login_from(client, ADDRESS_A, "minji")
    assert response.status_code == 429
    assert "Too many failed sign-ins to this account from this address" in response.text
    assert "60 minutes" in response.text
    assert 'name="password"' in response.text  # still the sign-in form, not a bare 403
    assert response.context["form"].has_error("__all__", "locked_out")


def test_the_failure_that_reaches_the_limit_already_says_so(client):
    UserFactory(username="minji")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login_from(client, ADDRESS_A, "minji", "wrong")
    response = login_from(client, ADDRESS_A, "minji", "wrong")
    assert response.status_code == 429
    assert response.context["form"].has_error("__all__", "locked_out")


def test_one_failure_short_of_the_limit_still_allows_the_right_password(client):
    UserFactory(username="minji")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login_from(client, ADDRESS_A, "minji", "wrong")
    assert login_from(client, ADDRESS_A, "minji").status_code == 302


def test_the_lockout_lifts_after_the_window(client):
    UserFactory(username="minji")
    fail_until_the_limit(client, "minji")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    )
    assert login_from(client, ADDRESS_A, "minji").status_code == 302


def test_expired_failures_are_forgotten_by_beat(client):
    UserFactory(username="minji")
    login_from(client, ADDRESS_A, "minji", "wrong")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    )
    assert forget_expired_sign_in_failures() == 1
    assert not AccessAttempt.objects.exists()
    assert "forget-expired-sign-in-failures" in settings.CELERY_BEAT_SCHEDULE


def test_the_admin_login_is_throttled_too_and_says_why(client):
    UserFactory(username="editor", is_superuser=True)
    admin_login = reverse("wagtailadmin_login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login_from(client, ADDRESS_A, "editor", "wrong", url=admin_login)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = login_from(client, ADDRESS_A, "editor", url=admin_login)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins to this account from this address" in response.text
    assert "wagtailadmin/login.html" in [t.name for t in response.templates]

    assert login_from(client, ADDRESS_B, "editor", url=admin_login).status_code == 302


def test_a_lockout_met_outside_the_sign_in_forms_gets_a_page_of_its_own(rf):
    request = rf.post("/elsewhere/")
    request.user = AnonymousUser()
    with translation.override("en"):
        response = locked_out(request, HttpResponse("plain"), {"username": "minji"})
    assert response.status_code == 429
    assert "Too many failed sign-ins to this account from this address" in response.text
    assert reverse("password_reset") in response.text


def test_failures_at_either_login_count_together(client):
    UserFactory(username="editor", is_superuser=True)
    half = settings.LOGIN_FAILURE_LIMIT // 2
    for _ in range(half):
        login_from(client, ADDRESS_A, "editor", "wrong")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - half):
        login_from(client, ADDRESS_A, "editor", "wrong", url=reverse("wagtailadmin_login"))
    assert login_from(client, ADDRESS_A, "editor").status_code == 429


def test_the_client_address_behind_the_proxy_is_what_counts(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="minji")
    client.post(
        reverse("login"),
        {"username": "minji", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"1.1.1.1, {ADDRESS_A}",
    )
    assert AccessAttempt.objects.get().ip_address == ADDRESS_A


def drops_the_session_cookie(response) -> bool:
    # The test client keeps a cookie told to expire; a browser drops it.
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie is not None and (cookie["max-age"] == 0 or "1970" in cookie["expires"])


def test_signing_out_takes_a_post(client):
    UserFactory(username="minji")
    login(client, "minji")
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_signing_out_of_the_admin_takes_a_post(client):
    editor = UserFactory(username="editor", is_superuser=True)
    client.force_login(editor)
    logout_url = reverse("wagtailadmin_logout")
    assert logout_url == "/admin/logout/"

    response = client.get(logout_url)
    assert response.status_code == 405
    assert not drops_the_session_cookie(response)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200

    response = client.post(logout_url)
    assert response.status_code == 302
    assert drops_the_session_cookie(response)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_sessions_expire_after_thirty_idle_minutes(client):
    UserFactory(username="minji")
    login(client, "minji")
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    expiry = client.session.get_expiry_date()
    # At least the idle timeout after the last request, at most one refresh more.
    assert timedelta(minutes=30) < expiry - timezone.now() <= timedelta(minutes=31)

    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_signed_in_session_is_written_at_most_once_a_minute(client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.accounts import sessions

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("password_change")).status_code == 200
        return [
            q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]
        ]

    UserFactory(username="minji")
    login(client, "minji")
    first_expiry = client.session.get_expiry_date()
    assert session_writes() == []
    now = sessions.time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now + 61)
    assert len(session_writes()) == 1
    assert client.session.get_expiry_date() > first_expiry
    assert session_writes() == []


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


def test_an_agent_imported_without_a_password_chooses_one_by_reset(client):
    """Roster imports create accounts with no usable password; the reset link is the way in."""
    from django.contrib.auth.hashers import make_password

    user = UserFactory(username="hgcs-a0001", email="Gildong@Example.com")
    user.password = make_password(None)
    user.save()
    assert (
        client.post(reverse("password_reset"), {"email": "gildong@example.com"}).status_code == 302
    )
    assert [message.to for message in mail.outbox] == [["Gildong@Example.com"]]
    inactive = UserFactory(email="left@example.com", is_active=False)
    inactive.save()
    client.post(reverse("password_reset"), {"email": "left@example.com"})
    assert len(mail.outbox) == 1


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
