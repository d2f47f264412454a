"""Roster import: formats, encodings, all-or-nothing validation, idempotence."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from openpyxl import Workbook

from portal.organisation.models import AgentProfile, AgentSkill, RosterImport
from portal.organisation.roles import Role
from portal.organisation.roster import import_roster

pytestmark = pytest.mark.django_db

HEADER = "사번,이름,이메일,팀,채널,스킬,투입일,상태"
GOOD_ROWS = [
    '1001,김민지,minji@example.com,SEL1,"전화, 채팅","환불, VIP",2026.12.01,재직',
    "1002,이서준,seojun@example.com,서울 2팀,chat,,2026-12-15,",
    "1003,박하은,haeun@example.com,sel1,카톡,교환,,active",
]


def csv_bytes(rows, header=HEADER, encoding="utf-8", bom=False):
    text = "\n".join([header, *rows]) + "\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot(vendor):
    """Everything an import can change, to prove that a rejected file changed nothing."""
    User = get_user_model()
    return (
        sorted(User.objects.values_list("username", "name", "email", "is_active")),
        sorted(
            AgentProfile.objects.unscoped()
            .filter(vendor=vendor)
            .values_list("employee_number", "team_id", "status", "go_live_date")
        ),
        AgentSkill.objects.count(),
        AgentProfile.channels.through.objects.count(),
        RosterImport.objects.unscoped().count(),
    )


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp949", False), ("euc-kr", False)]
)
def test_imports_csv_in_every_korean_excel_encoding(world, encoding, bom):
    report = import_roster(
        world.vendor_a, csv_bytes(GOOD_ROWS, encoding=encoding, bom=bom), "r.csv"
    )
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated) == (3, 3, 0)

    minji = (
        AgentProfile.objects.unscoped()
        .select_related("user")
        .get(vendor=world.vendor_a, employee_number="1001")
    )
    assert minji.user.name == "김민지"
    assert minji.user.username == "hgcs-1001"
    assert minji.team == world.team_a1
    assert minji.go_live_date == date(2026, 12, 1)
    assert set(minji.channels.values_list("code", flat=True)) == {"phone", "chat"}
    assert set(minji.skills.names()) == {"환불", "VIP"}
    assert minji.user.groups.filter(name=Role.AGENT.value).exists()
    assert not minji.user.has_usable_password()
    haeun = AgentProfile.objects.unscoped().get(vendor=world.vendor_a, employee_number="1003")
    assert list(haeun.channels.values_list("code", flat=True)) == ["messenger"]


def test_imports_xlsx_with_excel_types(world):
    data = xlsx_bytes(
        [
            ["employee_number", "name", "email", "team", "channels", "go_live_date"],
            [2001, "최유진", "yujin@example.com", "SEL2", "email", date(2027, 1, 4)],
            [2002.0, "정도윤", "doyun@example.com", "SEL1", "phone", "2027-01-05"],
        ]
    )
    report = import_roster(world.vendor_a, data, "roster.xlsx")
    assert report.ok, report.errors
    numbers = set(
        AgentProfile.objects.unscoped()
        .filter(vendor=world.vendor_a, user__name__in=["최유진", "정도윤"])
        .values_list("employee_number", flat=True)
    )
    assert numbers == {"2001", "2002"}


def test_reimporting_the_same_file_changes_nothing(world):
    data = csv_bytes(GOOD_ROWS)
    assert import_roster(world.vendor_a, data, "r.csv").created == 3
    before = snapshot(world.vendor_a)[:4]
    again = import_roster(world.vendor_a, data, "r.csv")
    assert (again.created, again.updated, again.unchanged, again.deactivated) == (0, 0, 3, 0)
    assert snapshot(world.vendor_a)[:4] == before


def test_updates_by_employee_number(world):
    import_roster(world.vendor_a, csv_bytes(GOOD_ROWS), "r.csv")
    changed = [
        "1001,김민지,minji.kim@example.com,SEL2,email,VIP,2026-12-02,재직",
        *GOOD_ROWS[1:],
    ]
    report = import_roster(world.vendor_a, csv_bytes(changed), "r.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    minji = (
        AgentProfile.objects.unscoped()
        .select_related("user")
        .get(vendor=world.vendor_a, employee_number="1001")
    )
    assert minji.user.email == "minji.kim@example.com"
    assert minji.team == world.team_a2
    assert list(minji.channels.values_list("code", flat=True)) == ["email"]
    assert set(minji.skills.names()) == {"VIP"}


def test_deactivates_agents_missing_from_the_file_only_when_asked(world):
    import_roster(world.vendor_a, csv_bytes(GOOD_ROWS), "r.csv")
    report = import_roster(world.vendor_a, csv_bytes(GOOD_ROWS[:2]), "r.csv")
    assert report.deactivated == 0

    report = import_roster(
        world.vendor_a, csv_bytes(GOOD_ROWS[:2]), "r.csv", deactivate_missing=True
    )
    assert report.ok
    # 1003 and the fixture's two agents are missing; the team lead and the manager are not
    # agents, and a roster never changes their accounts.
    assert report.deactivated == 3
    left = (
        AgentProfile.objects.unscoped()
        .select_related("user")
        .get(vendor=world.vendor_a, employee_number="1003")
    )
    assert left.status == AgentProfile.Status.LEFT
    assert left.left_on is not None
    assert not left.user.is_active
    for person in (world.manager_a, world.lead_a1):
        person.refresh_from_db()
        person.user.refresh_from_db()
        assert person.status == AgentProfile.Status.ACTIVE
        assert person.user.is_active
    # The other vendor is untouched.
    world.agent_b1.refresh_from_db()
    assert world.agent_b1.status == AgentProfile.Status.ACTIVE


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_bad_row(world):
    import_roster(world.vendor_a, csv_bytes(GOOD_ROWS), "r.csv")
    before = snapshot(world.vendor_a)
    rows = [
        "1001,김민지,minji@example.com,SEL1,,,,",  # fine, would be an update
        "1004,,new@example.com,SEL1,,,,",  # missing name
        "1005,한지우,not-an-email,SEL1,,,,",  # bad email
        "1006,오세훈,sehun@example.com,BUSAN,,,,",  # unknown team (of this vendor)
        "1007,윤아,yuna@example.com,SEL1,,,2026-02-30,",  # bad date
        "1001,중복,dup@example.com,SEL1,,,,",  # duplicate employee number
        "1008,임채원,chaewon@example.com,SEL1,fax,,,",  # unknown channel
        "1009,강민호,minho@example.com,BSN1,,,,",  # another vendor's team
    ]
    report = import_roster(world.vendor_a, csv_bytes(rows), "bad.csv")
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "name"),
        (4, "email"),
        (5, "team"),
        (6, "go_live_date"),
        (7, "employee_number"),
        (8, "channels"),
        (9, "team"),
    ]
    assert "처음 나온 곳: 2행" in report.errors[4].message
    assert snapshot(world.vendor_a) == before


def test_messages_follow_the_active_language(world):
    data = csv_bytes(["1001,김민지,nope,SEL1,,,,"])
    assert "올바른 이메일 주소가 아닙니다" in import_roster(world.vendor_a, data).errors[0].message
    with translation.override("en"):
        assert "not a valid email address" in import_roster(world.vendor_a, data).errors[0].message


def test_missing_required_columns_are_named(world):
    report = import_roster(world.vendor_a, csv_bytes(["1001,김민지"], header="사번,이름"), "r.csv")
    assert not report.ok
    assert report.errors[0].row == 1
    # Named as the reader calls them, not by their keys.
    assert "이메일, 팀" in report.errors[0].message
    assert AgentProfile.objects.unscoped().filter(vendor=world.vendor_a).count() == 4


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"", "r.csv", "비어 있습니다"),
        (b"PK\x03\x04garbage", "r.xlsx", "XLSX"),
        (b"\xd0\xcf\x11\xe0old excel", "r.xls", ".xls"),
        (bytes([0x81, 0x20, 0xFF, 0xFE]) * 10, "r.csv", "UTF-8"),
    ],
)
def test_unreadable_files_get_a_clear_message(world, data, filename, fragment):
    report = import_roster(world.vendor_a, data, filename)
    assert not report.ok
    assert fragment in report.errors[0].message


def test_dry_run_reports_and_writes_nothing(world):
    before = snapshot(world.vendor_a)
    report = import_roster(world.vendor_a, csv_bytes(GOOD_ROWS), "r.csv", dry_run=True)
    assert report.ok and report.created == 3
    assert snapshot(world.vendor_a) == before


def test_an_account_name_taken_by_someone_else_is_a_row_error(world):
    from tests.factories import UserFactory

    UserFactory(username="hgcs-1002")
    report = import_roster(world.vendor_a, csv_bytes(GOOD_ROWS), "r.csv")
    assert [(e.row, e.column) for e in report.errors] == [(3, "employee_number")]


def test_invisible_control_characters_are_row_errors(world):
    before = snapshot(world.vendor_a)
    rows = [
        *GOOD_ROWS,
        "1004,\x07벨,bell@example.com,SEL1,,,,",
        "10\x0205,이름,x5@example.com,SEL1,,,,",
    ]
    report = import_roster(world.vendor_a, csv_bytes(rows), "r.csv")
    assert [(e.row, e.column) for e in report.errors] == [(5, "name"), (6, "employee_number")]
    assert snapshot(world.vendor_a) == before


def test_a_successful_import_is_recorded(world):
    import_roster(world.vendor_a, csv_bytes(GOOD_ROWS), "r.csv", imported_by=world.manager_a.user)
    record = RosterImport.objects.unscoped().get()
    assert (record.vendor, record.imported_by, record.rows, record.created) == (
        world.vendor_a,
        world.manager_a.user,
        3,
        3,
    )


def test_import_uses_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    rows = [
        f"{3000 + i},상담사{i},a{i}@example.com,SEL1,phone,환불,2026-12-01," for i in range(200)
    ]
    with django_assert_max_num_queries(40):
        report = import_roster(world.vendor_a, csv_bytes(rows), "r.csv")
    assert report.created == 200
