"""A policy shows what changed since an earlier published version, readably."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_agent_sees_what_changed_since_an_earlier_version(client, world, knowledge):
    policy = knowledge["refund"]
    first_revision = policy.live_revision_id
    policy.limit_amount_krw = 70000
    policy.save_revision().publish()
    policy.refresh_from_db()

    client.force_login(world.agent_a1.user)
    page = client.get(policy.url).text
    assert f"?since={first_revision}" in page

    response = client.get(policy.url, {"since": first_revision})
    changes = response.context["changes"]
    assert [(d.label, d.before, d.after) for d in changes.fields] == [
        ("한도(원)", "50,000원", "70,000원")
    ]
    assert changes.label == "버전 1 → 2"
    html = response.text
    assert "<del>50,000원</del>" in html and "<ins>70,000원</ins>" in html
    assert "50007000" not in html


def test_drafts_and_foreign_revisions_are_not_comparable(client, world, knowledge):
    policy = knowledge["refund"]
    draft = policy.save_revision()
    other = knowledge["delay"].live_revision_id
    client.force_login(world.agent_a1.user)
    for revision_id in (draft.pk, other):
        response = client.get(policy.url, {"since": revision_id})
        assert response.status_code == 200
        assert response.context["changes"] is None
