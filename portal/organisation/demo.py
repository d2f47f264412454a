"""Demo organisation: a fictional Korean e-commerce client, two vendors, four teams,
sixty agents, their leads and managers, and the client's own staff.

Agents are loaded through ``import_roster`` from a generated CSV, exactly as a vendor
would load them. Re-running changes nothing.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from .builders import account, give_roles, vendor_manager
from .models import AgentProfile, Client, Team, Vendor
from .roles import Role
from .roster import import_roster

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed for the demo, on purpose

CLIENT = ("누리마켓", "NURI")
VENDOR_MANAGERS = {"HGCS": "정하늘", "ONC": "오세진"}
VENDORS = [
    (
        "한결CS",
        "HGCS",
        [("SEL1", "서울 전화 1팀", "서울 구로"), ("SEL2", "서울 채팅팀", "서울 구로")],
    ),
    (
        "온누리컨택",
        "ONC",
        [("BSN1", "부산 전화팀", "부산 서면"), ("BSN2", "부산 메신저팀", "부산 서면")],
    ),
]
TEAM_CHANNELS = {"SEL1": "전화", "SEL2": "채팅, 이메일", "BSN1": "전화", "BSN2": "메신저, 채팅"}
GO_LIVE = {"HGCS": date(2026, 12, 7), "ONC": date(2026, 11, 2)}
SKILLS = ["환불", "교환", "배송", "쿠폰", "멤버십", "VIP", "개인정보", "영어"]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민지", "서준", "하은", "도윤", "지우", "서연", "예준", "수아", "시우", "지민",
    "주원", "하린", "은우", "채원", "건우", "유나", "현우", "다인", "지호", "소율",
]  # fmt: skip
AGENTS_PER_TEAM = 15
CLIENT_STAFF = [
    ("nuri-editor", "송지현", Role.CLIENT_EDITOR),
    ("nuri-publisher", "배준호", Role.CLIENT_PUBLISHER),
    ("nuri-manager", "문서영", Role.CLIENT_MANAGER),
]


@dataclass
class DemoLogin:
    username: str
    name: str
    role: str
    where: str


def load_demo_organisation() -> list[DemoLogin]:
    client, _ = Client.objects.get_or_create(code=CLIENT[1], defaults={"name": CLIENT[0]})
    logins: list[DemoLogin] = []
    number = 0
    for vendor_index, (vendor_name, vendor_code, teams) in enumerate(VENDORS):
        vendor, _ = Vendor.objects.get_or_create(
            code=vendor_code, defaults={"name": vendor_name, "client": client}
        )
        rows = []
        for team_index, (team_code, team_name, site) in enumerate(teams):
            Team.objects.get_or_create(
                vendor=vendor, code=team_code, defaults={"name": team_name, "site": site}
            )
            for i in range(AGENTS_PER_TEAM + 1):  # the first of each team is its lead
                number += 1
                name = SURNAMES[number % len(SURNAMES)] + GIVEN[(number * 7) % len(GIVEN)]
                employee_number = f"{1001 + team_index * 100 + i}"
                skills = ", ".join(SKILLS[(number + k) % len(SKILLS)] for k in range(number % 3))
                go_live = GO_LIVE[vendor_code]
                if vendor_code == "ONC" and team_index == 1:
                    go_live = date(2026, 12, 14)  # a second cohort, still training
                status = "퇴사" if i == AGENTS_PER_TEAM and vendor_index == 1 else "재직"
                rows.append(
                    [
                        employee_number,
                        name,
                        f"{vendor_code.lower()}.{employee_number}@demo.nurimarket.example",
                        team_code,
                        TEAM_CHANNELS[team_code],
                        skills,
                        go_live.isoformat(),
                        status,
                    ]
                )
                if i == 0:
                    logins.append(
                        DemoLogin(
                            f"{vendor_code}-{employee_number}".lower(), name, "team lead", team_name
                        )
                    )
                elif i == 1:
                    logins.append(
                        DemoLogin(
                            f"{vendor_code}-{employee_number}".lower(), name, "agent", team_name
                        )
                    )
        # A roster never changes a team lead: on a second run, the promoted leads are left out.
        leads = _team_lead_numbers(vendor)
        report = import_roster(
            vendor, _csv([row for row in rows if row[0] not in leads]), f"demo-{vendor_code}.csv"
        )
        if not report.ok:
            raise RuntimeError(f"demo roster for {vendor_code} is invalid: {report.errors[:3]}")
        _make_team_leads(vendor, [row[0] for row in rows[:: AGENTS_PER_TEAM + 1]])
        manager = _vendor_manager(vendor)
        logins.append(DemoLogin(manager.username, manager.name, "vendor manager", vendor_name))

    for username, name, role in CLIENT_STAFF:
        account(username, name, f"{username}@nurimarket.example", role)
        logins.append(DemoLogin(username, name, role.name.lower().replace("_", " "), CLIENT[0]))
    admin = account("admin", "포털 관리자", "admin@nurimarket.example")
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    logins.append(DemoLogin("admin", admin.name, "superuser", CLIENT[0]))

    # One hash for every demo account: hashing sixty passwords one by one takes a minute.
    get_user_model().objects.filter(
        username__in=[login.username for login in logins]
        + list(
            AgentProfile.objects.filter(vendor__client=client).values_list(
                "user__username", flat=True
            )
        )
    ).update(password=make_password(DEMO_PASSWORD))
    return logins


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["사번", "이름", "이메일", "팀", "채널", "스킬", "투입일", "상태"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _team_lead_numbers(vendor) -> set[str]:
    return set(
        AgentProfile.objects.filter(
            vendor=vendor, user__groups__name=Role.TEAM_LEAD.value
        ).values_list("employee_number", flat=True)
    )


def _make_team_leads(vendor, employee_numbers) -> None:
    for profile in AgentProfile.objects.filter(vendor=vendor, employee_number__in=employee_numbers):
        give_roles(profile.user, Role.TEAM_LEAD)


def _vendor_manager(vendor):
    code = vendor.code.lower()
    user = account(f"{code}-manager", VENDOR_MANAGERS[vendor.code], f"manager@{code}.example")
    return vendor_manager(vendor, user).user
