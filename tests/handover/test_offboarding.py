"""Off-boarding a vendor: its accounts end on the chosen day (not before) and nothing more
reaches its people; after the retention their personal data is erased (not before),
once, and the other vendor is untouched."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handover import offboarding
from handover.models import RecordsExport, VendorOffboarding
from handover.tasks import offboard_vendors
from notices.models import Delivery, VendorWebhook, WebhookCall
from notices.reminders import send_scheduled_reminders
from portal import periods
from portal.integrations.models import SystemToken
from portal.integrations.tokens import issue_token
from portal.organisation.models import AgentProfile, RosterImport
from portal.organisation.roster.importer import import_roster
from tests.factories import DEFAULT_PASSWORD, make_agent
from tests.notices.builders import publish_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return periods.today()


def _schedule(world, end_on, retention_days=30):
    return offboarding.schedule(
        world.vendor_a,
        accounts_end_on=end_on,
        retention_days=retention_days,
        decided_by=world.client_manager,
        today=end_on,
    )


def _people_of(vendor):
    return AgentProfile.objects.unscoped().filter(vendor=vendor).select_related("user")


def _snapshot():
    """Everything off-boarding may change, of both vendors."""
    people = AgentProfile.objects.unscoped().order_by("pk")
    return (
        list(
            people.values_list(
                "pk", "status", "left_on", "employee_number", "user__username", "user__name",
                "user__email", "user__is_active", "user__password", "vendor__is_active",
            )
        ),
        list(VendorOffboarding.objects.values_list("accounts_ended_at", "personal_data_erased_at")),
        list(SystemToken.objects.unscoped().order_by("pk").values_list("revoked_at", flat=True)),
        RosterImport.objects.unscoped().count(),
    )  # fmt: skip


def test_the_accounts_end_on_the_chosen_day_not_before(world, today):
    left = make_agent(world.team_a2, status=AgentProfile.Status.LEFT, left_on=today)
    _schedule(world, today + timedelta(days=2))

    assert offboarding.offboard_vendors(today=today + timedelta(days=1)) == {
        "ended": 0,
        "erased": 0,
    }
    assert all(
        p.status == "active" and p.user.is_active for p in _people_of(world.vendor_a) if p != left
    )

    assert offboarding.offboard_vendors(today=today + timedelta(days=2))["ended"] == 1
    world.vendor_a.refresh_from_db()
    assert not world.vendor_a.is_active
    for person in _people_of(world.vendor_a):
        assert person.status == AgentProfile.Status.LEFT
        assert not person.user.is_active
        expected = today if person.pk == left.pk else today + timedelta(days=2)
        assert person.left_on == expected, "who left before keeps their day"
    for person in _people_of(world.vendor_b):
        assert person.status == "active" and person.user.is_active and person.left_on is None
    world.vendor_b.refresh_from_db()
    assert world.vendor_b.is_active
    assert VendorOffboarding.objects.get().accounts_ended_at is not None


def test_beat_runs_it_hourly_with_the_portal_s_today(world, today, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["offboard-vendors"]
    assert schedule == {"task": "handover.offboard_vendors", "schedule": 3600.0}
    _schedule(world, today)
    assert offboard_vendors() == {"ended": 1, "erased": 0}


def test_the_people_are_signed_out_everywhere_and_refused_at_sign_in(world, today):
    agent = world.agent_a1
    browser = Client()
    browser.force_login(agent.user)
    other = Client()
    other.force_login(world.agent_b1.user)
    assert browser.get("/").status_code == 200
    _schedule(world, today)
    offboard_vendors()

    assert Session.objects.count() == 1, "only vendor B's session is left"
    response = browser.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert other.get("/").status_code == 200
    refused = Client().post(
        reverse("login"), {"username": agent.user.username, "password": DEFAULT_PASSWORD}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session


def test_the_webhook_stops_and_the_systems_tokens_are_revoked(world, today):
    VendorWebhook.objects.create(vendor=world.vendor_a, url="https://a.example/hook", secret="a")
    VendorWebhook.objects.create(vendor=world.vendor_b, url="https://b.example/hook", secret="b")
    issue_token(world.vendor_a, "A CRM", ["decisions"])
    issue_token(world.vendor_b, "B CRM", ["decisions"])
    _schedule(world, today)
    offboard_vendors()
    hooks = dict(VendorWebhook.objects.values_list("vendor__code", "is_active"))
    assert hooks == {"HGCS": False, "ONC": True}
    tokens = SystemToken.objects.unscoped()
    assert list(tokens.active().values_list("name", flat=True)) == ["B CRM"]
    assert tokens.get(name="A CRM").revoked_at is not None


def test_a_notice_published_after_the_end_reaches_nobody_of_the_vendor(
    world, today, eager_celery, django_capture_on_commit_callbacks
):
    VendorWebhook.objects.create(vendor=world.vendor_a, url="https://a.example/hook", secret="a")
    _schedule(world, today)
    offboard_vendors()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish_notice("마감 후 공지", everyone=True)
        publish_notice("한결 전용 공지", vendors=[world.vendor_a])
    delivered = set(Delivery.objects.unscoped().values_list("agent__vendor__code", flat=True))
    assert delivered == {"ONC"}
    assert not WebhookCall.objects.unscoped().filter(vendor=world.vendor_a).exists()
    addresses = {address for message in mail.outbox for address in message.to}
    assert addresses and not addresses & {p.user.email for p in _people_of(world.vendor_a)}


def test_reminders_of_a_notice_delivered_before_the_end_no_longer_go_to_them(
    world, today, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_notice("마감 전 공지", everyone=True, due_in=timedelta(hours=5))
    assert Delivery.objects.unscoped().filter(agent__vendor=world.vendor_a).exists()
    _schedule(world, today)
    offboard_vendors()
    mail.outbox.clear()
    assert (
        send_scheduled_reminders()
        == AgentProfile.objects.unscoped().filter(vendor=world.vendor_b).count()
    )
    addresses = {address for message in mail.outbox for address in message.to}
    assert addresses == {p.user.email for p in _people_of(world.vendor_b)}


def test_an_ended_vendor_s_roster_cannot_bring_anyone_back(world, today, english):
    _schedule(world, today)
    offboard_vendors()
    data = f"사번,이름,팀,상태\n{world.agent_a1.employee_number},김복귀,SEL1,재직\n".encode()
    report = import_roster(world.vendor_a, data, "roster.csv")
    assert not report.ok and "no longer active" in report.errors[0].message
    world.agent_a1.refresh_from_db()
    assert world.agent_a1.status == AgentProfile.Status.LEFT
    assert not RosterImport.objects.unscoped().exists()


@pytest.fixture
def personal_data(world, export_dir):
    """Skills, a roster import, a failed sign-in and a hand-over archive, for each vendor."""
    exports = {}
    for vendor, agent in ((world.vendor_a, world.agent_a1), (world.vendor_b, world.agent_b1)):
        agent.skills.add("환불", "VIP")
        RosterImport.objects.create(
            vendor=vendor, filename=f"{vendor.code}.csv", rows=1, created=1, updated=0,
            unchanged=0, deactivated=0,
        )  # fmt: skip
        AccessAttempt.objects.create(
            username=agent.user.username, ip_address="203.0.113.7", user_agent="pytest",
            failures_since_start=1, get_data="", post_data="", http_accept="", path_info="/",
        )  # fmt: skip
        export = RecordsExport.objects.create(
            vendor=vendor,
            status=RecordsExport.Status.DONE,
            file_name="records.zip",
            sha256="0" * 64,
        )
        export.folder.mkdir(parents=True)
        export.path.write_bytes(b"PK names and numbers")
        exports[vendor.code] = export
    return exports


def test_personal_data_is_erased_when_the_retention_runs_out_not_before(
    world, today, personal_data
):
    end_on = today - timedelta(days=30)
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=end_on, retention_days=30
    )
    offboarding.offboard_vendors(today=end_on)
    before = {p.pk: (p.user.username, p.employee_number) for p in _people_of(world.vendor_a)}
    assert offboarding.offboard_vendors(today=today - timedelta(days=1))["erased"] == 0
    assert {
        p.pk: (p.user.username, p.employee_number) for p in _people_of(world.vendor_a)
    } == before
    assert personal_data["HGCS"].path.is_file()

    assert offboarding.offboard_vendors(today=today) == {"ended": 0, "erased": 1}
    for person in _people_of(world.vendor_a):
        user = person.user
        assert user.username == f"erased~{user.pk}"
        assert (user.name, user.first_name, user.last_name, user.email) == ("", "", "", "")
        assert not user.has_usable_password() and not user.is_active
        assert person.employee_number == f"erased-{person.pk}"
        assert list(person.skills.names()) == []
        assert str(user) == f"erased~{user.pk}"
    assert list(RosterImport.objects.unscoped().values_list("vendor__code", flat=True)) == ["ONC"]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        world.agent_b1.user.username
    ]
    erased_export = RecordsExport.objects.get(pk=personal_data["HGCS"].pk)
    assert erased_export.file_name == "" and erased_export.sha256 == "0" * 64
    assert not personal_data["HGCS"].folder.exists()
    assert personal_data["ONC"].path.is_file()
    assert VendorOffboarding.objects.get().personal_data_erased_at is not None

    # The other vendor's people are untouched.
    agent_b = AgentProfile.objects.unscoped().select_related("user").get(pk=world.agent_b1.pk)
    assert agent_b.user.username == world.agent_b1.user.username
    assert agent_b.employee_number == world.agent_b1.employee_number
    assert agent_b.user.email and agent_b.user.has_usable_password()
    assert set(agent_b.skills.names()) == {"환불", "VIP"}


def test_accounts_and_erasure_due_together_happen_in_one_run(world, today, personal_data):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=3), retention_days=0
    )
    assert offboard_vendors() == {"ended": 1, "erased": 1}
    assert not _people_of(world.vendor_a).filter(user__is_active=True).exists()
    assert _people_of(world.vendor_a).filter(employee_number__startswith="erased-").count() == 4


def test_a_second_run_changes_nothing(world, today, personal_data):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=1), retention_days=1
    )
    assert offboard_vendors() == {"ended": 1, "erased": 1}
    after = _snapshot()
    assert offboard_vendors() == {"ended": 0, "erased": 0}
    assert _snapshot() == after
    for step in (offboarding.end_accounts, offboarding.erase_personal_data):
        assert step(VendorOffboarding.objects.get().pk) is False
    assert _snapshot() == after


def test_a_failing_vendor_is_left_for_the_next_run_and_the_others_go_on(
    world, today, personal_data, monkeypatch
):
    from portal.audit import chain

    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=1), retention_days=0
    )
    VendorOffboarding.objects.create(vendor=world.vendor_b, accounts_end_on=today)

    def broken(agent_ids, *, reason):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(chain, "forget", broken)
    assert offboard_vendors() == {"ended": 2, "erased": 0}
    # The erasure rolled back whole: names, numbers and files are all still there.
    assert world.agent_a1.user.username in _people_of(world.vendor_a).values_list(
        "user__username", flat=True
    )
    assert personal_data["HGCS"].path.is_file()
    assert RecordsExport.objects.get(pk=personal_data["HGCS"].pk).file_name == "records.zip"
    assert not VendorOffboarding.objects.filter(personal_data_erased_at__isnull=False).exists()


# --- Deciding it ------------------------------------------------------------------------


def test_the_retention_defaults_to_the_setting(world, today, settings):
    settings.OFFBOARDING_RETENTION_DAYS = 90
    row = VendorOffboarding.objects.create(vendor=world.vendor_a, accounts_end_on=today)
    assert row.retention_days == 90 and row.erase_on == today + timedelta(days=90)


@pytest.mark.parametrize(
    ("end_in", "days", "field", "words"),
    [
        (-1, 30, "accounts_end_on", "has passed"),
        (0, -1, "retention_days", "0 or more"),
        (0, offboarding.MAX_RETENTION_DAYS + 1, "retention_days", "at most"),
    ],
)
def test_a_bad_decision_says_why_and_changes_nothing(
    world, today, english, end_in, days, field, words
):
    with pytest.raises(ValidationError) as refused:
        offboarding.schedule(
            world.vendor_a,
            accounts_end_on=today + timedelta(days=end_in),
            retention_days=days,
            decided_by=world.client_manager,
        )
    assert words in refused.value.message_dict[field][0]
    assert not VendorOffboarding.objects.exists()


def test_once_the_accounts_ended_their_day_stays_and_once_erased_nothing_changes(
    world, today, english
):
    row = VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today, retention_days=10
    )
    offboard_vendors()
    decide = lambda **kw: offboarding.schedule(  # noqa: E731
        world.vendor_a, decided_by=world.client_manager, **kw
    )
    with pytest.raises(ValidationError) as refused:
        decide(accounts_end_on=today + timedelta(days=5), retention_days=10)
    assert "can no longer move" in refused.value.message_dict["accounts_end_on"][0]
    # The retention may still change, the end date unmoved, even to erase today.
    assert decide(accounts_end_on=today, retention_days=0).erase_on == today
    offboard_vendors()
    row.refresh_from_db()
    assert row.erased
    with pytest.raises(ValidationError) as refused:
        decide(accounts_end_on=today, retention_days=400)
    assert "can no longer change" in refused.value.messages[0]
    row.refresh_from_db()
    assert row.retention_days == 0


def test_after_the_end_the_retention_cannot_put_the_erasure_in_the_past(world, today, english):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a,
        accounts_end_on=today - timedelta(days=10),
        accounts_ended_at=periods.local_midnight(today),
    )
    with pytest.raises(ValidationError) as refused:
        offboarding.schedule(
            world.vendor_a,
            accounts_end_on=today - timedelta(days=10),
            retention_days=3,
            decided_by=world.client_manager,
        )
    assert "at least 10 days" in refused.value.message_dict["retention_days"][0]


def test_an_answer_to_their_feedback_after_the_end_is_not_emailed(world, today, mailoutbox):
    from feedback.models import FeedbackItem, Status
    from feedback.tasks import tell_agents
    from tests.decisions.builders import refund_policy
    from tests.feedback.builders import raise_on

    policy = refund_policy()
    mine, theirs = raise_on(policy, world.agent_a1), raise_on(policy, world.agent_b1)
    _schedule(world, today)
    offboard_vendors()
    FeedbackItem.objects.update(status=Status.DECLINED, answered_at=timezone.now())
    assert tell_agents([mine.pk, theirs.pk]) == 1
    assert [message.to for message in mailoutbox] == [[world.agent_b1.user.email]]


def test_the_erasure_waits_for_a_records_export_under_way(world, today, personal_data):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=1), retention_days=0
    )
    running = RecordsExport.objects.create(
        vendor=world.vendor_a, status=RecordsExport.Status.RUNNING
    )
    assert offboard_vendors() == {"ended": 1, "erased": 0}
    assert personal_data["HGCS"].path.is_file()
    # The export finishes, its archive written from the data as it was: both go.
    RecordsExport.objects.filter(pk=running.pk).update(
        status=RecordsExport.Status.DONE, file_name="late.zip"
    )
    running.folder.mkdir(parents=True)
    (running.folder / "late.zip").write_bytes(b"PK names")
    assert offboard_vendors() == {"ended": 0, "erased": 1}
    assert not running.folder.exists() and not personal_data["HGCS"].folder.exists()


def test_an_export_left_running_by_a_dead_worker_long_ago_holds_nothing_up(
    world, today, personal_data
):
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=1), retention_days=0
    )
    RecordsExport.objects.create(
        vendor=world.vendor_a,
        status=RecordsExport.Status.RUNNING,
        created_at=timezone.now() - timedelta(days=1),
    )
    assert offboard_vendors() == {"ended": 1, "erased": 1}


def test_an_off_boarded_vendor_cannot_be_made_active_again(world, today):
    """The Vendor snippet's "active" box would otherwise let a roster import bring the
    ended accounts back; a vendor merely switched off may be switched on again."""
    world.vendor_b.is_active = False
    world.vendor_b.save()
    world.vendor_b.is_active = True
    world.vendor_b.full_clean()
    offboarding.end_accounts(_schedule(world, today).pk, today)
    vendor = type(world.vendor_a).objects.unscoped().get(pk=world.vendor_a.pk)
    assert not vendor.is_active
    vendor.is_active = True
    with pytest.raises(ValidationError) as refused:
        vendor.full_clean()
    assert "종료 처리된 협력사" in str(refused.value.message_dict["is_active"])
