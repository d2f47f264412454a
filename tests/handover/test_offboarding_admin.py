"""The admin's "Off-boarding": client managers see each vendor's state and decide an
off-boarding through a confirmation step; bad input says why and changes nothing;
nobody else reaches the page."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handover.models import VendorOffboarding
from handover.tasks import offboard_vendors
from portal import periods
from portal.organisation.roles import Role
from tests.factories import TeamFactory, VendorFactory, make_agent, make_client_staff

pytestmark = pytest.mark.django_db

PAGE = "/admin/vendor-offboarding/"


def _client(user, language=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        # Messages matched by their English text: the admin is read in it.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _form(vendor, end_on, days=30, **extra):
    return {
        "vendor": vendor.pk,
        "accounts_end_on": end_on.isoformat(),
        "retention_days": days,
        **extra,
    }


def test_the_page_is_named_by_its_url():
    assert reverse("handover_offboarding") == PAGE


def test_a_client_manager_decides_after_confirming(world):
    client = _client(world.client_manager, "en")
    end_on = periods.today() + timedelta(days=7)
    confirm = client.post(PAGE, _form(world.vendor_a, end_on))
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert 'data-testid="confirm-offboarding"' in body
    assert "4 active people end" in body
    assert (end_on + timedelta(days=30)).isoformat() in body
    assert not VendorOffboarding.objects.exists(), "nothing changes before the confirmation"

    done = client.post(PAGE, _form(world.vendor_a, end_on, confirmed="True"))
    assert done.status_code == 302
    row = VendorOffboarding.objects.get()
    assert (row.vendor, row.accounts_end_on, row.retention_days, row.decided_by) == (
        world.vendor_a,
        end_on,
        30,
        world.client_manager,
    )
    page = client.get(PAGE).content.decode()
    assert "scheduled" in page and end_on.isoformat() in page


def test_the_form_opens_with_a_vendor_s_current_choice(world):
    end_on = periods.today() + timedelta(days=3)
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=end_on, retention_days=77
    )
    page = _client(world.client_manager, "en").get(PAGE, {"vendor": world.vendor_a.pk})
    form = page.context["form"]
    assert form["accounts_end_on"].value() == end_on and form["retention_days"].value() == 77
    for asked in ("x", "²", "9" * 40, str(world.vendor_a.pk + 1000)):
        fresh = _client(world.client_manager, "en").get(PAGE, {"vendor": asked})
        assert fresh.status_code == 200, asked
        assert fresh.context["form"]["retention_days"].value() == 365


def test_each_vendor_s_state_is_listed(world):
    today = periods.today()
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=1), retention_days=0
    )
    offboard_vendors()
    page = _client(world.client_manager, "en").get(PAGE).content.decode()
    assert "erased" in page and "inactive" in page
    assert "Off-board…" in page, "vendor B is not off-boarded"


def test_the_list_takes_the_same_queries_whatever_the_number_of_vendors(
    world, django_assert_num_queries
):
    client = _client(world.client_manager, "en")
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for number in range(5):
        team = TeamFactory(vendor=VendorFactory())
        make_agent(team)
        VendorOffboarding.objects.create(
            vendor=team.vendor,
            accounts_end_on=periods.today() + timedelta(days=number),
            decided_by=world.client_manager,
        )
    with django_assert_num_queries(len(few)):
        response = client.get(PAGE)
    assert len(response.context["vendors"]) == 7


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"accounts_end_on": "어제"}, "accounts_end_on", "valid date"),
        ({"retention_days": "-5"}, "retention_days", "0 or more"),
        ({"retention_days": "한 달"}, "retention_days", "whole number"),
        ({"retention_days": "99999"}, "retention_days", "at most"),
        ({"vendor": "999999"}, "vendor", "valid choice"),
    ],
)
def test_bad_input_says_why_and_changes_nothing(world, data, field, words):
    form = {**_form(world.vendor_a, periods.today()), **data, "confirmed": "True"}
    response = _client(world.client_manager, "en").post(PAGE, form)
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert not VendorOffboarding.objects.exists()


def test_a_day_that_has_passed_is_refused_even_confirmed(world):
    past = periods.today() - timedelta(days=1)
    response = _client(world.client_manager, "en").post(
        PAGE, _form(world.vendor_a, past, confirmed="True")
    )
    assert response.status_code == 400
    assert "has passed" in response.content.decode()
    assert not VendorOffboarding.objects.exists()


def test_an_ended_vendor_s_day_cannot_move_from_the_form(world):
    today = periods.today()
    row = VendorOffboarding.objects.create(vendor=world.vendor_a, accounts_end_on=today)
    offboard_vendors()
    response = _client(world.client_manager, "en").post(
        PAGE, _form(world.vendor_a, today + timedelta(days=9), confirmed="True")
    )
    assert response.status_code == 400 and "can no longer move" in response.content.decode()
    row.refresh_from_db()
    assert row.accounts_end_on == today


@pytest.mark.parametrize(
    "who", ["publisher", "editor", "vendor manager", "team lead", "agent", "signed out"]
)
def test_nobody_else_reaches_the_page_or_decides(who, world):
    user = {
        "publisher": lambda: make_client_staff(Role.CLIENT_PUBLISHER),
        "editor": lambda: make_client_staff(Role.CLIENT_EDITOR),
        "vendor manager": lambda: world.manager_a.user,
        "team lead": lambda: world.lead_a1.user,
        "agent": lambda: world.agent_a1.user,
        "signed out": lambda: None,
    }[who]()
    client = _client(user)
    response = client.get(PAGE)
    if user is None:
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code in (302, 403)
    form = _form(world.vendor_a, periods.today(), confirmed="True")
    assert client.post(PAGE, form).status_code in (302, 403)
    assert not VendorOffboarding.objects.exists()


def test_the_menu_shows_off_boarding_to_client_managers_only(world):
    # The sidebar is JSON: the Korean label as its escapes.
    label = json.dumps("협력사 종료")[1:-1]
    menu = _client(world.client_manager).get("/admin/").content.decode()
    assert f'"label": "{label}"' in menu and f'"url": "{PAGE}"' in menu
    publisher = _client(make_client_staff(Role.CLIENT_PUBLISHER)).get("/admin/")
    assert PAGE not in publisher.content.decode()


def test_the_page_speaks_korean_by_default(world):
    client = _client(world.client_manager)
    page = client.get(PAGE).content.decode()
    assert "협력사 종료" in page and "개인정보 삭제일" in page
    past = periods.today() - timedelta(days=1)
    refused = client.post(PAGE, _form(world.vendor_a, past)).content.decode()
    assert "이미 지난 날짜에 계정을 종료할 수 없습니다" in refused
    confirm = client.post(PAGE, _form(world.vendor_a, periods.today())).content.decode()
    assert "4명의 계정이 종료됩니다" in confirm and "오늘입니다" in confirm
