"""A policy shows what changed since an earlier published version."""

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
    assert [str(diff.field_label()) for diff in changes] == ["한도(원)"]
    assert "70000" in str(changes[0].htmldiff()) or "70,000" in str(changes[0].htmldiff())


def test_drafts_and_foreign_revisions_are_not_comparable(client, world, knowledge):
    policy = knowledge["refund"]
    draft = policy.save_revision()
    other = knowledge["delay"].live_revision_id
    client.force_login(world.agent_a1.user)
    for revision_id in (draft.pk, other):
        response = client.get(policy.url, {"since": revision_id})
        assert response.status_code == 200
        assert response.context["changes"] is None
