import json

import pytest
from django.core.management import CommandError, call_command

from portal.organisation.models import AgentProfile

pytestmark = pytest.mark.django_db

GOOD = "사번,이름,이메일,팀\n1001,김민지,minji@example.com,SEL1\n"
BAD = "사번,이름,이메일,팀\n1001,김민지,minji@example.com,SEL1\n1002,,x,SEL1\n"


def write(tmp_path, text, encoding="cp949"):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_imports_and_reports(world, tmp_path, capsys):
    call_command("import_roster", str(write(tmp_path, GOOD)), vendor="hgcs")
    assert "1 created" in capsys.readouterr().out
    assert AgentProfile.objects.filter(employee_number="1001", vendor=world.vendor_a).exists()


def test_a_bad_file_fails_lists_rows_and_writes_nothing(world, tmp_path, capsys):
    before = AgentProfile.objects.count()
    with pytest.raises(CommandError, match="Nothing was imported: 2 problem"):
        call_command("import_roster", str(write(tmp_path, BAD)), vendor="HGCS")
    err = capsys.readouterr().err
    assert "3행" in err
    assert AgentProfile.objects.count() == before


def test_json_report(world, tmp_path, capsys):
    call_command("import_roster", str(write(tmp_path, GOOD, "utf-8")), vendor="HGCS", json=True)
    report = json.loads(capsys.readouterr().out)
    assert (report["created"], report["errors"]) == (1, [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/roster.csv", "--vendor", "HGCS"], "No such file"),
        (["{file}", "--vendor", "NOPE"], "Unknown vendor code 'NOPE'"),
    ],
)
def test_bad_arguments_get_clear_messages(world, tmp_path, args, message):
    path = str(write(tmp_path, GOOD))
    with pytest.raises(CommandError, match=message):
        call_command("import_roster", *[a.format(file=path) for a in args])
