"""The client's address behind the proxy, and a ``next`` that must stay on this site."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.http import client_ip, safe_next

SPOOFED = "6.6.6.6"
CLIENT = "203.0.113.7"
PROXY = "10.0.0.2"


def request_from(remote_addr=PROXY, forwarded=None, **extra):
    meta = {"REMOTE_ADDR": remote_addr, **extra}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(CLIENT, forwarded=SPOOFED)) == CLIENT
    assert client_ip(request_from(CLIENT)) == CLIENT


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        # Our proxy appends the address it saw; whatever the client sent stands before it.
        pytest.param(1, f"{SPOOFED}, {CLIENT}", CLIENT, id="one-proxy-spoof-attempt"),
        pytest.param(1, CLIENT, CLIENT, id="one-proxy"),
        pytest.param(2, f"{SPOOFED}, {CLIENT}, 192.0.2.1", CLIENT, id="cdn-then-proxy"),
        pytest.param(1, "2001:db8::1", "2001:db8::1", id="ipv6"),
        pytest.param(1, "", PROXY, id="header-missing"),
        pytest.param(2, CLIENT, PROXY, id="fewer-entries-than-proxies"),
        pytest.param(1, f"{CLIENT}, not-an-address", PROXY, id="garbage"),
        pytest.param(1, f"{CLIENT}, {CLIENT}:443", PROXY, id="address-with-port"),
    ],
)
def test_behind_trusted_proxies_the_nth_address_from_the_right(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_ip(request_from(PROXY, forwarded=forwarded)) == expected


def post_with_next(target, secure=False):
    return RequestFactory().post("/notices/1/remind/", {"next": target}, secure=secure)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver/over-plain-http",
    ],
)
def test_a_next_off_this_site_goes_to_the_fallback(target):
    assert safe_next(post_with_next(target, secure=True), "/fallback/") == "/fallback/"


@pytest.mark.parametrize(
    "target", ["/notices/manage/1/?state=overdue", "https://testserver/training/readiness/"]
)
def test_a_next_on_this_site_is_followed(target):
    assert safe_next(post_with_next(target, secure=True), "/fallback/") == target


def test_no_next_goes_to_the_fallback():
    assert safe_next(RequestFactory().post("/"), "training:readiness") == "training:readiness"


@pytest.fixture
def eager_celery():
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hops", "recorded"),
    [pytest.param(0, PROXY, id="no-proxy"), pytest.param(1, CLIENT, id="proxy")],
)
def test_an_acknowledgement_records_the_clients_address(
    client, world, settings, eager_celery, django_capture_on_commit_callbacks, hops, recorded
):
    from notices.models import Acknowledgement
    from notices.versions import latest_version
    from tests.notices.builders import publish_notice

    settings.TRUSTED_PROXY_COUNT = hops
    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(everyone=True)
    client.force_login(world.agent_a1.user)
    client.post(
        reverse("notices:acknowledge", args=[notice.pk]),
        {"revision": latest_version(notice).revision_id},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}",
    )
    assert Acknowledgement.objects.get().ip_address == recorded


@pytest.mark.django_db
def test_remind_now_does_not_follow_a_next_off_this_site(
    client, world, eager_celery, django_capture_on_commit_callbacks
):
    from tests.notices.builders import publish_notice

    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(everyone=True)
    client.force_login(world.manager_a.user)
    remind = reverse("notices:manage_remind", args=[notice.pk])
    response = client.post(remind, {"next": "https://evil.example/notices/"})
    assert response.status_code == 302
    assert response["Location"] == remind.removesuffix("remind/")


@pytest.mark.django_db
def test_the_go_live_sign_off_does_not_follow_a_next_off_this_site(client, world):
    client.force_login(world.lead_a1.user)
    response = client.post(
        reverse("training:sign_off", args=[world.agent_a1.pk]),
        {"next": "//evil.example/training/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:readiness")

    response = client.post(
        reverse("training:sign_off", args=[world.agent_a1.pk]),
        {"next": "/training/readiness/?team=1"},
    )
    assert response["Location"] == "/training/readiness/?team=1"


def _policy(response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))


@pytest.mark.django_db
def test_the_portal_allows_scripts_from_its_own_files_only(client):
    directives = _policy(client.get(reverse("login")))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_the_admin_alone_runs_wagtails_inline_scripts(client):
    directives = _policy(client.get(reverse("wagtailadmin_login")))
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/knowledge/search/?tag=a%00",
        "/knowledge/search.json?q=%00",
        "/org/agents/?q=a%00",
        "/media/original_images/a%00b.png",
        "/%00/",
    ],
)
def test_nul_bytes_are_a_bad_request_not_a_server_error(client, world, url):
    client.force_login(world.manager_a.user)
    assert client.get(url).status_code == 400


@pytest.mark.django_db
def test_a_posted_nul_byte_is_a_bad_request(client, world):
    client.force_login(world.agent_a1.user)
    response = client.post("/accounts/language/", {"language": "ko\x00"})
    assert response.status_code == 400
