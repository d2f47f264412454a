"""A policy agents decided under is kept: deleting it, or a section above it, is refused
in the admin with a message, nothing deleted."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from decisions.wagtail_hooks import KEPT_POLICY
from portal.organisation.roles import Role
from tests.factories import make_client_staff
from tests.knowledge.builders import section

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("deleted", ["policy", "section"])
def test_deleting_a_policy_with_decisions_is_refused(client, world, deleted):
    payments = section("결제·환불")
    policy = refund_policy(payments)
    decide(policy, world.agent_a1)
    page = policy if deleted == "policy" else payments
    client.force_login(make_client_staff(role=Role.CLIENT_MANAGER, is_superuser=True))
    url = reverse("wagtailadmin_pages:delete", args=[page.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[page.pk])
    [message] = get_messages(response.wsgi_request)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert str(message) == str(KEPT_POLICY)
    assert Page.objects.filter(pk__in=[payments.pk, policy.pk]).count() == 2


def test_a_policy_without_decisions_is_deleted(client, world):
    policy = refund_policy()
    client.force_login(make_client_staff(role=Role.CLIENT_MANAGER, is_superuser=True))
    client.post(reverse("wagtailadmin_pages:delete", args=[policy.pk]))
    assert not Page.objects.filter(pk=policy.pk).exists()
