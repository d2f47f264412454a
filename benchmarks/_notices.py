"""Bulk data for the notices benchmarks: thousands of agents and a published notice.

Rows are written with ``bulk_create`` (factories would take minutes for 10,000 agents).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from portal.organisation.models import AgentProfile, Client, Team, Vendor
from portal.organisation.roles import Role

PASSWORD = "bench-password-2026"  # noqa: S105 - throw-away benchmark accounts


def make_agents(count: int, vendors: int = 4, teams_per_vendor: int = 5) -> list[AgentProfile]:
    """``count`` active agents with emails, spread over vendors and teams (new ones each
    call)."""
    User = get_user_model()
    client, _ = Client.objects.get_or_create(code="BENCH", defaults={"name": "벤치마크"})
    batch = Vendor.objects.count()
    teams = []
    for v in range(vendors):
        code = f"BV{batch + v}"
        vendor = Vendor.objects.create(client=client, name=f"협력사 {batch + v}", code=code)
        for t in range(teams_per_vendor):
            teams.append(Team.objects.create(vendor=vendor, name=f"{t}팀", code=f"{code}T{t}"))
    first = get_user_model().objects.count()
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench{i:06d}",
                name=f"상담사{i:06d}",
                email=f"bench{i:06d}@example.com",
                password=password,
            )
            for i in range(first, first + count)
        ],
        batch_size=2000,
    )
    agents_group = Group.objects.get(name=Role.AGENT.value)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=agents_group.pk) for u in users],
        batch_size=2000,
    )
    return AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user,
                vendor_id=teams[i % len(teams)].vendor_id,
                team=teams[i % len(teams)],
                employee_number=f"B{first + i:06d}",
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )


def publish_notice_for_everyone(title="연말 배송 마감 안내", **fields):
    """Publish a notice for everyone; returns the page (its dispatch is queued on commit)."""
    from django.utils import timezone

    from home.site_tree import ensure_site_tree
    from notices.models import ChangeNoticePage, NoticeIndexPage

    home = ensure_site_tree()
    section = NoticeIndexPage.objects.first()
    if section is None:
        section = NoticeIndexPage(title="공지")
        home.add_child(instance=section)
        section.save_revision().publish()
    page = ChangeNoticePage(
        title=title,
        kind="launch",
        summary="12월 24일 14시 주문까지 연내 배송됩니다.",
        changes="<p>14시 이후 주문은 1월 2일부터 배송합니다.</p>",
        audience_everyone=fields.pop("audience_everyone", True),
        acknowledge_by=fields.pop("acknowledge_by", timezone.now() + timezone.timedelta(days=3)),
        **fields,
    )
    section.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def bulk_acknowledge(notice, version, agents, when=None):
    """Acknowledgements of ``version`` by ``agents``, written in bulk with placeholder audit
    records: the dashboards read acknowledgements, never the chain (``acknowledge``
    itself is timed by ack_load.py). ``when(i)`` gives the i-th acknowledgement's time."""
    from django.utils import timezone

    from notices.models import Acknowledgement
    from portal.audit.models import AuditRecord

    now = timezone.now()
    when = when or (lambda i: now)
    offset = AuditRecord.objects.count()
    records = AuditRecord.objects.bulk_create(
        [
            AuditRecord(
                kind="bench",
                payload={},
                created_at=now,
                record_hash=f"{offset + i:064d}",
            )
            for i in range(len(agents))
        ],
        batch_size=5000,
    )
    Acknowledgement.objects.bulk_create(
        [
            Acknowledgement(
                agent=agent,
                notice=notice,
                version=version,
                seen_version=version,
                revision_id=version.revision_id,
                content_hash=version.content_hash,
                statement="bench",
                acknowledged_at=when(i),
                on_time=True,
                audit_record=record,
            )
            for i, (agent, record) in enumerate(zip(agents, records, strict=True))
        ],
        batch_size=5000,
    )
