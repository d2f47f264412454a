"""A pseudonymised vendor whose ledger still verifies: vendor A is off-boarded past its
retention, its people's personal details are erased from beside their audit records,
and ``verify_audit`` still passes; vendor B's details are intact; an export of A's
records made afterwards verifies with ``verify_export`` and names nobody."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command

from handover.archive import write_archive
from handover.models import VendorOffboarding
from handover.tasks import offboard_vendors
from notices.models import Acknowledgement
from portal import periods
from portal.audit import chain
from portal.audit.models import AuditRecord, PersonalDetail
from portal.organisation.models import AgentProfile
from training.models import SignOff

pytestmark = pytest.mark.django_db


def _jsonl(path, kind) -> list[dict]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read(f"{kind}.jsonl")
    return [json.loads(line) for line in io.StringIO(data.decode())]


def test_a_pseudonymised_vendor_whose_ledger_still_verifies(world, records, export_dir, capsys):
    from decisions.models import Decision

    chain.seal(everything=True)
    call_command("verify_audit")
    people_a = AgentProfile.objects.unscoped().filter(vendor=world.vendor_a)
    ids_a = sorted(people_a.values_list("pk", flat=True))
    assert PersonalDetail.objects.filter(agent_id__in=ids_a).count() == 3  # ack, sign-off, decision

    today = periods.today()
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=today - timedelta(days=400), retention_days=365
    )
    assert offboard_vendors() == {"ended": 1, "erased": 1}
    chain.seal(everything=True)
    capsys.readouterr()
    call_command("verify_audit")
    assert "audit trail intact" in capsys.readouterr().out

    # Vendor A's people are pseudonymised, in the portal and beside the ledger.
    assert not PersonalDetail.objects.filter(agent_id__in=ids_a).exists()
    (erasure,) = AuditRecord.objects.filter(kind=chain.ERASED)
    assert erasure.payload["agent_ids"] == ids_a and erasure.payload["records"] == 3
    assert "HGCS" in erasure.payload["reason"]
    for model in (Acknowledgement, SignOff, Decision):
        row = model.objects.unscoped().get(agent=world.agent_a1)
        assert (row.ip_address, row.user_agent) == (None, ""), model
    for person in people_a.select_related("user"):
        assert person.employee_number == f"erased-{person.pk}"
        assert (person.user.username, person.user.name) == (f"erased~{person.user.pk}", "")

    # Vendor B's are intact.
    ack_b = Acknowledgement.objects.unscoped().get(agent=world.agent_b1)
    assert (ack_b.ip_address, ack_b.user_agent) == ("203.0.113.7", "ONC browser")
    details_b = PersonalDetail.objects.get(record_id=ack_b.audit_record_id).details
    assert details_b["employee_number"] == world.agent_b1.employee_number
    b1 = AgentProfile.objects.unscoped().select_related("user").get(pk=world.agent_b1.pk)
    assert (b1.employee_number, b1.user.name) == (
        world.agent_b1.employee_number,
        world.agent_b1.user.name,
    )

    # The hand-over of A's records, made after the erasure, verifies and names nobody.
    path, _manifest = write_archive(world.vendor_a, export_dir / "after")
    capsys.readouterr()
    call_command("verify_export", str(path))
    assert "intact" in capsys.readouterr().out
    agents = _jsonl(path, "agents")
    assert len(agents) == 4
    assert all(a["employee_number"].startswith("erased-") for a in agents)
    assert {(a["name"], a["email"]) for a in agents} == {("", "")}
    (ack_a,) = _jsonl(path, "acknowledgements")
    assert ack_a["ip_address"] is None and ack_a["user_agent"] is None
