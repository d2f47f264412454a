"""Pages that records point to are kept, however the admin deletes them: one page from its
own delete view (each app's tests), or a selection of a listing in bulk."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from decisions.wagtail_hooks import KEPT_POLICY
from portal.organisation.roles import Role
from tests.decisions.builders import decide, refund_policy
from tests.factories import make_client_staff
from tests.knowledge.builders import section

pytestmark = pytest.mark.django_db


def _bulk_delete(client, pages):
    parent = pages[0].get_parent()
    ids = "&".join(f"id={page.pk}" for page in pages)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    return client.post(f"{url}?{ids}&next=/admin/pages/{parent.pk}/"), parent


def test_bulk_deleting_a_section_above_a_decided_policy_deletes_nothing(client, world):
    payments = section("결제·환불")
    decide(refund_policy(payments), world.agent_a1)
    spare = section("기타 안내")
    client.force_login(make_client_staff(role=Role.CLIENT_MANAGER, is_superuser=True))
    response, parent = _bulk_delete(client, [spare, payments])
    assert response.status_code == 302
    assert response.url == f"/admin/pages/{parent.pk}/"
    [message] = get_messages(response.wsgi_request)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert str(message) == str(KEPT_POLICY)
    assert Page.objects.filter(pk__in=[payments.pk, spare.pk]).count() == 2


def test_bulk_deleting_pages_without_records_deletes_them(client, world):
    first, second = section("임시 1"), section("임시 2")
    refund_policy(second)
    client.force_login(make_client_staff(role=Role.CLIENT_MANAGER, is_superuser=True))
    response, _parent = _bulk_delete(client, [first, second])
    assert response.status_code == 302
    assert not Page.objects.filter(pk__in=[first.pk, second.pk]).exists()
