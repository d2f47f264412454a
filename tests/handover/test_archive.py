"""The archive of a vendor's records: every kind as CSV and JSON Lines, exactly, the
manifest with its hashes, counts, checkpoint and MAC; nothing of another vendor."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import mask
from handover.archive import MANIFEST, manifest_mac, write_archive
from portal.audit.checkpoints import genuine
from portal.organisation.models import Channel
from portal.records import PROOF_COLUMNS, record_kinds
from tests.handover.conftest import FORMULA

pytestmark = pytest.mark.django_db

KINDS = [
    "acknowledgements", "agents", "course_results", "decisions", "deliveries", "feedback",
    "kpi_actuals", "quiz_attempts", "review_notes", "sign_offs", "teams",
]  # fmt: skip


def _read(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines()]


@pytest.fixture
def archive(world, records, tmp_path):
    path, manifest = write_archive(world.vendor_a, tmp_path)
    return path, manifest, _read(path)


def test_every_kind_as_csv_and_json_lines_with_exact_columns_and_counts(world, archive):
    path, _manifest, files = archive
    assert path.name.startswith("records-HGCS-") and path.suffix == ".zip"
    assert sorted(files) == sorted(
        [MANIFEST, *(f"{k}.csv" for k in KINDS), *(f"{k}.jsonl" for k in KINDS)]
    )
    columns = {kind.key: list(kind.columns) for kind in record_kinds()}
    counts = {}
    for kind in KINDS:
        rows = _jsonl(files[f"{kind}.jsonl"])
        table = _csv(files[f"{kind}.csv"])
        assert [list(row) for row in rows] == [columns[kind]] * len(rows)
        header = next(csv.reader(io.StringIO(files[f"{kind}.csv"].decode("utf-8-sig"))))
        assert header == columns[kind]
        assert len(table) == len(rows)
        counts[kind] = len(rows)
    # Vendor A: agent A1, agent A2, team lead A1 and the vendor manager; A1 did the rest.
    assert counts == {
        "acknowledgements": 1, "agents": 4, "course_results": 1, "decisions": 1,
        "deliveries": 4, "feedback": 1, "kpi_actuals": 1, "quiz_attempts": 1,
        "review_notes": 1, "sign_offs": 1, "teams": 2,
    }  # fmt: skip
    for kind in ("acknowledgements", "sign_offs", "decisions"):
        assert columns[kind][-len(PROOF_COLUMNS) :] == PROOF_COLUMNS
    agents = _jsonl(files["agents.jsonl"])
    roles = sorted(a["role"] for a in agents)
    assert roles == ["Agents", "Agents", "Team leads", "Vendor managers"]
    (note,) = _jsonl(files["review_notes.jsonl"])
    assert (note["text"], note["author_name"]) == ("HGCS 합의", world.manager_a.user.name)
    assert {a["employee_number"] for a in agents} == {
        world.agent_a1.employee_number,
        world.agent_a2.employee_number,
        world.lead_a1.employee_number,
        world.manager_a.employee_number,
    }
    (decision,) = _jsonl(files["decisions.jsonl"])
    assert decision["reference"] == mask("T-12345678")  # masked, as in every export
    assert "customer_hash" not in decision
    (actual,) = _jsonl(files["kpi_actuals.jsonl"])
    assert (actual["kpi_code"], actual["period_start"], actual["value"]) == (
        "response-rate",
        "2026-10-01",
        "91.50",
    )


def test_attested_rows_carry_their_proof_sealed_in_the_named_checkpoint(world, archive):
    from notices.models import Acknowledgement

    _path, manifest, files = archive
    (row,) = _jsonl(files["acknowledgements.jsonl"])
    stored = Acknowledgement.objects.select_related("audit_record__chain_entry").get(
        agent=world.agent_a1
    )
    entry = stored.audit_record.chain_entry
    assert row["audit_record_id"] == stored.audit_record_id
    assert row["record_hash"] == stored.audit_record.record_hash
    assert (row["chain_position"], row["entry_hash"]) == (entry.position, entry.entry_hash)
    checkpoint = manifest["ledger"]["checkpoint"]
    assert genuine(checkpoint)
    assert checkpoint["records"] >= row["chain_position"]
    assert manifest["ledger"]["checkpoint_file"] == f"checkpoint-{checkpoint['records']:012d}.json"
    assert manifest["ledger"]["not_in_checkpoint"] == {
        "acknowledgements": 0,
        "decisions": 0,
        "sign_offs": 0,
    }


def test_the_manifest_names_each_file_hash_size_and_count_and_is_keyed(world, archive):
    _path, manifest, files = archive
    assert json.loads(files[MANIFEST]) == manifest
    assert manifest["vendor"] == {"code": "HGCS", "name": world.vendor_a.name}
    assert manifest["exported_at"].endswith("+09:00")
    assert manifest["mac"] == manifest_mac(manifest)
    for entry in manifest["files"]:
        data = files[entry["name"]]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert {e["name"]: e["records"] for e in manifest["files"]}["agents.csv"] == 4


def test_user_text_that_a_spreadsheet_would_run_is_inert_in_csv_and_kept_in_json(archive):
    _path, _manifest, files = archive
    for kind, column in (("acknowledgements", "user_agent"), ("feedback", "text")):
        (row,) = _csv(files[f"{kind}.csv"])
        assert row[column] == "'" + FORMULA
        (raw,) = _jsonl(files[f"{kind}.jsonl"])
        assert raw[column] == FORMULA


def test_nothing_of_another_vendor_is_in_a_vendors_archive(world, records, archive):
    from notices.models import Acknowledgement

    _path, _manifest, files = archive
    text = b"\n".join(files.values()).decode("utf-8-sig")
    b_people = [world.agent_b1, world.manager_b]
    for word in [
        world.vendor_b.name, world.vendor_b.code, world.team_b1.name, world.team_b1.code,
        "ONC 의견", "ONC 비고", "ONC browser",
        *(p.employee_number for p in b_people), *(p.user.email for p in b_people),
    ]:  # fmt: skip
        assert word not in text
    a_agents = {world.agent_a1.pk, world.agent_a2.pk, world.lead_a1.pk, world.manager_a.pk}
    for name, data in files.items():
        if name.endswith(".jsonl"):
            for row in _jsonl(data):
                assert row.get("agent_id", min(a_agents)) in a_agents, name
    b_ack = Acknowledgement.objects.get(agent=world.agent_b1)
    assert b_ack.audit_record.record_hash not in text


def test_one_query_per_kind_whatever_the_number_of_rows(world, records, tmp_path):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            write_archive(world.vendor_a, tmp_path)
        return len(captured)

    few = queries()
    from tests.notices.builders import ack, publish_notice

    for n in range(3):
        ack(publish_notice(f"추가 공지 {n}", everyone=True), world.agent_a2)
    assert queries() == few


def test_each_persons_channels_and_skills_are_handed_over(world, records, tmp_path):
    world.agent_a1.channels.set(Channel.objects.filter(code__in=["phone", "chat"]))
    world.agent_a1.skills.add("환불", "VIP")
    _path, _manifest = write_archive(world.vendor_a, tmp_path)
    people = {row["id"]: row for row in _jsonl(_read(_path)["agents.jsonl"])}
    assert (people[world.agent_a1.pk]["channels"], people[world.agent_a1.pk]["skills"]) == (
        "chat phone",
        "VIP, 환불",
    )
    assert (people[world.agent_a2.pk]["channels"], people[world.agent_a2.pk]["skills"]) == ("", "")


def test_a_failed_export_leaves_no_file(world, records, tmp_path, monkeypatch):
    from portal import records as registry

    def broken(vendor_id):
        yield {"id": 1}
        raise RuntimeError("database gone")

    kind = registry._kinds["teams"]
    monkeypatch.setitem(
        registry._kinds, "teams", kind.__class__("teams", kind.columns, broken, False)
    )
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError):
        write_archive(world.vendor_a, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    # An export's own folder, made for it, goes too.
    with pytest.raises(RuntimeError):
        write_archive(world.vendor_a, tmp_path / "export-7")
    assert not (tmp_path / "export-7").exists()
