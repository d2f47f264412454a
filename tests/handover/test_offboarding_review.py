"""What a review of off-boarding found: a far-future day refused rather than a 500; the
personal data left after the erasure (email errors, Wagtail's history and profiles,
failed sign-ins however typed); records exports against the erasure; an erased
account's name no roster can take; cancelling before the accounts end."""

from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from handover import offboarding, tasks
from handover.models import RecordsExport, VendorOffboarding
from notices.models import Delivery, DeliveryAttempt
from portal import periods
from portal.organisation.models import AgentProfile, code_validator
from portal.organisation.roles import Role
from portal.organisation.roster.importer import import_roster, username_for
from tests.factories import TeamFactory, VendorFactory, make_client_staff
from tests.notices.builders import publish_notice

pytestmark = pytest.mark.django_db

PAGE = "/admin/vendor-offboarding/"
EXPORTS = "/admin/records-handover/"


def _client(user, language="en"):
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _erase(vendor):
    """The vendor's accounts ended yesterday and its personal data is erased now."""
    VendorOffboarding.objects.create(
        vendor=vendor, accounts_end_on=periods.today() - timedelta(days=1), retention_days=0
    )
    assert offboarding.offboard_vendors() == {"ended": 1, "erased": 1}


# --- 1. A day beyond the calendar -----------------------------------------------------


@pytest.mark.parametrize(
    ("end_on", "days"), [(date(9999, 12, 31), 1), (date(9999, 6, 1), 3653), (date(9999, 12, 31), 0)]
)
def test_a_far_future_day_is_refused_with_a_reason_not_a_500(world, english, end_on, days):
    with pytest.raises(ValidationError) as refused:
        offboarding.schedule(
            world.vendor_a, accounts_end_on=end_on, retention_days=days, decided_by=None
        )
    assert "at most ten years" in refused.value.message_dict["accounts_end_on"][0]
    client = _client(world.client_manager)
    for confirmed in ("", "True"):
        form = {
            "vendor": world.vendor_a.pk,
            "accounts_end_on": end_on.isoformat(),
            "retention_days": days,
            "confirmed": confirmed,
        }
        response = client.post(PAGE, form)
        assert response.status_code == 400
        assert "at most ten years" in " ".join(response.context["form"].errors["accounts_end_on"])
    assert not VendorOffboarding.objects.exists()


def test_ten_years_from_today_is_the_last_day_accepted(world):
    today = periods.today()
    last = offboarding.latest_end_on(today)
    assert last == today + timedelta(days=offboarding.MAX_RETENTION_DAYS)
    row = offboarding.schedule(
        world.vendor_a,
        accounts_end_on=last,
        retention_days=offboarding.MAX_RETENTION_DAYS,
        decided_by=world.client_manager,
    )
    assert row.erase_on == last + timedelta(days=offboarding.MAX_RETENTION_DAYS)
    with pytest.raises(ValidationError):
        offboarding.schedule(
            world.vendor_a,
            accounts_end_on=last + timedelta(days=1),
            retention_days=0,
            decided_by=world.client_manager,
        )


def test_a_sum_beyond_the_calendar_is_refused_and_beat_and_the_page_survive(world, english):
    """A row whose accounts ended near the calendar's end (saved before the limit)."""
    row = VendorOffboarding.objects.create(
        vendor=world.vendor_a,
        accounts_end_on=date(9999, 12, 20),
        retention_days=5,
        accounts_ended_at=timezone.now(),
    )
    problems = offboarding.check(
        row, accounts_end_on=row.accounts_end_on, retention_days=30, today=periods.today()
    )
    assert "last day a calendar holds" in problems["retention_days"]
    VendorOffboarding.objects.filter(pk=row.pk).update(retention_days=30)
    assert offboarding.offboard_vendors() == {"ended": 0, "erased": 0}
    assert _client(world.client_manager).get(PAGE).status_code == 200


# --- 2. Personal data left after the erasure ------------------------------------------


@pytest.fixture
def traces(world, settings, tmp_path, eager_celery, django_capture_on_commit_callbacks):
    """For one person of each vendor: an email refusal quoting their address, history
    entries naming them, a Wagtail profile with an avatar, failed sign-ins typed in
    capitals and in axes' logs; and failed sign-ins to roster names nobody has (yet)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        publish_notice("반송 공지", everyone=True)
    other = VendorFactory(name="한결CS 별관", code="HGCS-X")
    found = {}
    for agent in (world.agent_a1, world.agent_b1):
        user = agent.user
        delivery = Delivery.objects.unscoped().filter(agent=agent).get()
        refusal = f"550 5.1.1 <{user.email}>: Recipient address rejected"
        Delivery.objects.unscoped().filter(pk=delivery.pk).update(email_error=refusal)
        DeliveryAttempt.objects.create(delivery=delivery, outcome="failed", detail=refusal)
        ModelLogEntry.objects.log_action(agent, "wagtail.edit", data={"name": user.name})
        ModelLogEntry.objects.log_action(user, "wagtail.edit", data={"email": user.email})
        profile = UserProfile.get_for_user(user)
        storage = UserProfile._meta.get_field("avatar").storage
        profile.avatar = storage.save(f"avatar_images/{user.pk}.png", ContentFile(b"png"))
        profile.save()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            extra = (
                {"get_data": "", "post_data": "", "failures_since_start": 1}
                if model is AccessAttempt
                else {}
            )
            model.objects.create(
                username=user.username.upper(), ip_address="203.0.113.7", user_agent="pytest",
                http_accept="", path_info="/", **extra,
            )  # fmt: skip
        found[agent.vendor.code] = (delivery, profile)
    for username in ("HGCS-990001", "hgcs-x-1", "onc-990001"):
        AccessAttempt.objects.create(
            username=username, ip_address="203.0.113.8", user_agent="pytest",
            failures_since_start=1, get_data="", post_data="", http_accept="", path_info="/",
        )  # fmt: skip
    return found, other


def test_the_erasure_leaves_no_address_history_label_profile_or_failed_sign_in(world, traces):
    found, _other = traces
    a_user, b_user = world.agent_a1.user, world.agent_b1.user
    avatar = found["HGCS"][1].avatar
    avatar_storage, avatar_name = avatar.storage, avatar.name
    assert avatar_storage.exists(avatar_name)
    _erase(world.vendor_a)

    delivery_a, delivery_b = found["HGCS"][0], found["ONC"][0]
    assert Delivery.objects.unscoped().get(pk=delivery_a.pk).email_error == ""
    assert b_user.email in Delivery.objects.unscoped().get(pk=delivery_b.pk).email_error
    details = DeliveryAttempt.objects.unscoped().values_list("detail", flat=True)
    assert set(details.filter(delivery=delivery_a)) == {""}
    assert any(b_user.email in detail for detail in details.filter(delivery=delivery_b))

    profile_pk, user_pk = str(world.agent_a1.pk), str(a_user.pk)
    of_profile = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AgentProfile), object_id=profile_pk
    )
    of_user = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()), object_id=user_pk
    )
    assert of_profile.exists() and of_user.exists()
    assert {(e.label, str(e.data)) for e in of_profile} == {(f"erased-{profile_pk}", "{}")}
    assert {(e.label, str(e.data)) for e in of_user} == {(f"erased-{user_pk}", "{}")}
    kept = ModelLogEntry.objects.filter(object_id__in=[str(world.agent_b1.pk), str(b_user.pk)])
    assert any(world.agent_b1.employee_number in entry.label for entry in kept)

    assert not UserProfile.objects.filter(user=a_user).exists()
    assert not avatar_storage.exists(avatar_name)
    assert UserProfile.objects.filter(user=b_user).exists()

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        left = set(model.objects.values_list("username", flat=True))
        assert not any(name.lower().startswith("hgcs-") and not name.startswith("hgcs-x-")
                       for name in (n.lower() for n in left)), model  # fmt: skip
        assert b_user.username.upper() in left, model
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        b_user.username.upper(),
        "hgcs-x-1",  # vendor HGCS-X's, whose code merely begins with "HGCS-"
        "onc-990001",
    }


def test_the_readme_and_the_module_say_what_is_erased():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Off-boarding a vendor", 1)[1].split("\n## ", 1)[0]
    for words in ("Wagtail profile", "history", "email errors", "erased~<user id>"):
        assert words in section, words
        assert words in offboarding.__doc__, words


# --- 3. Records exports against the erasure --------------------------------------------


def test_an_export_requested_after_the_erasure_is_refused(world, export_dir):
    _erase(world.vendor_a)
    response = _client(world.client_manager).post(EXPORTS, {"vendor": world.vendor_a.pk})
    assert response.status_code == 302
    assert any("can no longer be exported" in message for message in _messages(response))
    assert not RecordsExport.objects.exists()
    # The other vendor's still may.
    client = _client(world.client_manager)
    assert client.post(EXPORTS, {"vendor": world.vendor_b.pk}).status_code == 302
    assert list(RecordsExport.objects.values_list("vendor__code", flat=True)) == ["ONC"]


def test_a_queued_export_of_an_erased_vendor_fails_with_the_reason(world, export_dir, english):
    export = RecordsExport.objects.create(vendor=world.vendor_a)
    VendorOffboarding.objects.create(
        vendor=world.vendor_a,
        accounts_end_on=periods.today() - timedelta(days=1),
        accounts_ended_at=timezone.now(),
        personal_data_erased_at=timezone.now(),
    )
    assert tasks.export_records(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == RecordsExport.Status.FAILED
    assert "can no longer be exported" in export.error
    assert not export.folder.exists()
    assert tasks.export_records(export.pk) == "nothing to do"


def test_an_export_that_finds_the_vendor_erased_at_its_end_deletes_its_archive(
    world, export_dir, english, monkeypatch
):
    export = RecordsExport.objects.create(vendor=world.vendor_a)

    def write_then_erased_meanwhile(vendor, folder, progress):
        folder.mkdir(parents=True)
        path = folder / "records.zip"
        path.write_bytes(b"PK names and numbers")
        # The erasure went on without it (the export outlived the redelivery window).
        VendorOffboarding.objects.create(
            vendor=vendor,
            accounts_end_on=periods.today() - timedelta(days=1),
            accounts_ended_at=timezone.now(),
            personal_data_erased_at=timezone.now(),
        )
        return path, {}

    monkeypatch.setattr(tasks, "write_archive", write_then_erased_meanwhile)
    assert tasks.export_records(export.pk) == "failed"
    export.refresh_from_db()
    assert (export.status, export.file_name) == (RecordsExport.Status.FAILED, "")
    assert "can no longer be exported" in export.error
    assert not export.folder.exists()


def test_an_export_of_a_vendor_not_erased_still_finishes(world, export_dir, monkeypatch):
    export = RecordsExport.objects.create(vendor=world.vendor_a)

    def write(vendor, folder, progress):
        folder.mkdir(parents=True)
        (folder / "records.zip").write_bytes(b"PK")
        return folder / "records.zip", {}

    monkeypatch.setattr(tasks, "write_archive", write)
    tasks.export_records(export.pk)
    export.refresh_from_db()
    assert export.status == RecordsExport.Status.DONE and export.path.is_file()


# --- 5. An erased account's name ------------------------------------------------------


def test_no_roster_can_take_an_erased_account_s_name(world, english):
    _erase(world.vendor_a)
    erased = list(get_user_model().objects.filter(username__startswith=offboarding.ERASED_ACCOUNT))
    assert len(erased) == 4
    # A vendor coded "erased" importing employee numbers equal to those accounts' ids.
    vendor = VendorFactory(name="Erased Inc", code="erased")
    TeamFactory(vendor=vendor, name="팀", code="T1")
    rows = "".join(
        f"{user.pk},이름{user.pk},T1,재직,e{user.pk}@erased.example\n" for user in erased
    )
    report = import_roster(vendor, f"사번,이름,팀,상태,이메일\n{rows}".encode(), "roster.csv")
    assert report.ok, report.errors
    made = set(
        AgentProfile.objects.unscoped()
        .filter(vendor=vendor)
        .values_list("user__username", flat=True)
    )
    assert made == {username_for(vendor, str(user.pk)) for user in erased}
    assert not made & {user.username for user in erased}
    # Why it cannot: a roster name is "<code>-…" and a code never holds "~".
    with pytest.raises(ValidationError):
        code_validator("erased~1")
    assert "-" not in f"{offboarding.ERASED_ACCOUNT}12345"
    assert offboarding.offboard_vendors() == {"ended": 0, "erased": 0}


# --- 6. Cancelling ----------------------------------------------------------------------


def test_a_client_manager_cancels_a_scheduled_off_boarding_after_confirming(world):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=periods.today() + timedelta(days=5)
    )
    client = _client(world.client_manager)
    url = reverse("handover_offboarding_cancel", args=[world.vendor_a.pk])
    assert url in client.get(PAGE).content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'data-testid="confirm-cancel-offboarding"' in confirm.content.decode()
    assert VendorOffboarding.objects.exists(), "nothing changes before the confirmation"
    done = client.post(url)
    assert done.status_code == 302
    assert any("cancelled" in message for message in _messages(done))
    assert not VendorOffboarding.objects.exists()
    assert offboarding.offboard_vendors(today=periods.today() + timedelta(days=5)) == {
        "ended": 0,
        "erased": 0,
    }
    world.vendor_a.refresh_from_db()
    assert world.vendor_a.is_active


def test_once_the_accounts_ended_the_off_boarding_cannot_be_cancelled(world):
    row = VendorOffboarding.objects.create(vendor=world.vendor_a, accounts_end_on=periods.today())
    offboarding.offboard_vendors()
    client = _client(world.client_manager)
    url = reverse("handover_offboarding_cancel", args=[world.vendor_a.pk])
    assert url not in client.get(PAGE).content.decode()
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert any("can no longer be cancelled" in m for m in _messages(response))
    row.refresh_from_db()
    assert row.accounts_ended
    with pytest.raises(ValidationError):
        offboarding.cancel(world.vendor_a)
    # Nothing scheduled: said so.
    response = client.post(reverse("handover_offboarding_cancel", args=[world.vendor_b.pk]))
    assert any("not scheduled" in m for m in _messages(response))


@pytest.mark.parametrize("who", ["publisher", "vendor manager", "agent", "signed out"])
def test_nobody_else_cancels(world, who):
    row = VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=periods.today() + timedelta(days=5)
    )
    user = {
        "publisher": lambda: make_client_staff(Role.CLIENT_PUBLISHER),
        "vendor manager": lambda: world.manager_a.user,
        "agent": lambda: world.agent_a1.user,
        "signed out": lambda: None,
    }[who]()
    client = _client(user)
    url = reverse("handover_offboarding_cancel", args=[world.vendor_a.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url).status_code in (302, 403)
    assert VendorOffboarding.objects.filter(pk=row.pk).exists()


def test_cancelling_speaks_korean_by_default(world):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=periods.today() + timedelta(days=5)
    )
    client = _client(world.client_manager, language=None)
    page = client.get(PAGE).content.decode()
    assert "종료 취소" in page
    assert "로그인 실패 기록" in page and "관리자 변경 이력 속 이름" in page, "what is erased"
    confirm = client.post(
        PAGE,
        {
            "vendor": world.vendor_b.pk,
            "accounts_end_on": periods.today().isoformat(),
            "retention_days": 30,
        },
    ).content.decode()
    assert "로그인 실패 기록" in confirm
    url = reverse("handover_offboarding_cancel", args=[world.vendor_a.pk])
    assert "협력사 종료 취소" in client.get(url).content.decode()


# --- 4. Two managers deciding at once (PostgreSQL: test_offboarding_concurrency) --------


def test_a_row_made_by_someone_else_meanwhile_is_a_reason_not_a_500(world, english, monkeypatch):
    """What code that skipped the vendor's lock would meet: a unique violation, said."""
    original = offboarding.check

    def someone_else_first(current, **kw):
        VendorOffboarding.objects.create(
            vendor=world.vendor_a, accounts_end_on=periods.today() + timedelta(days=3)
        )
        return original(current, **kw)

    monkeypatch.setattr(offboarding, "check", someone_else_first)
    with pytest.raises(ValidationError) as refused:
        offboarding.schedule(
            world.vendor_a,
            accounts_end_on=periods.today() + timedelta(days=9),
            retention_days=30,
            decided_by=world.client_manager,
        )
    assert "at the same time" in refused.value.messages[0]
    # Rolled back whole (here with the stand-in for the other manager's row).
    assert not VendorOffboarding.objects.exists()
