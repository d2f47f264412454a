"""Notice pages: where they live, how they are created in the admin, what the form checks."""

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage
from knowledge.models import KnowledgeIndexPage
from notices.models import ChangeNoticePage, NoticeIndexPage, NoticeVersion
from portal.organisation.roles import Role
from tests.factories import TeamFactory, make_client_staff

from .builders import notice_section


class NoticeTreeTests(WagtailPageTestCase):
    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(NoticeIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NoticeIndexPage, {ChangeNoticePage})
        self.assertAllowedParentPageTypes(ChangeNoticePage, {NoticeIndexPage})
        self.assertAllowedSubpageTypes(ChangeNoticePage, set())
        self.assertCanNotCreateAt(KnowledgeIndexPage, ChangeNoticePage)


def notice_form(**overrides):
    data = {
        "title": "신규 멤버십 출시",
        "slug": "new-membership",
        "kind": "launch",
        "priority": "normal",
        "summary": "12월 1일 멤버십이 바뀝니다.",
        "changes": rich_text("<p>월 4,900원, 무료배송.</p>"),
        "effective_from": "2026-12-01 09:00",
        "effective_until": "",
        "affected_pages": {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0",
                           "MAX_NUM_FORMS": "1000"},
        "audience_everyone": "on",
        "audience_vendors": [],
        "audience_teams": [],
        "audience_channels": [],
        "audience_roles": [],
        "acknowledgement_required": "on",
        "acknowledge_by": "2026-12-03 18:00",
        "understanding_check": streamfield([]),
        "material_change": "on",
    }  # fmt: skip
    data.update(overrides)
    return nested_form_data({k: v for k, v in data.items() if v is not None})


@pytest.mark.django_db
def test_a_publisher_creates_and_publishes_a_notice_in_the_admin(client):
    section = notice_section()
    publisher = make_client_staff(role=Role.CLIENT_PUBLISHER)
    client.force_login(publisher)
    url = reverse("wagtailadmin_pages:add", args=["notices", "changenoticepage", section.pk])
    response = client.post(url, {**notice_form(), "action-publish": "publish"})
    assert response.status_code == 302, response.context["form"].errors
    notice = ChangeNoticePage.objects.get(slug="new-membership")
    assert notice.live
    version = NoticeVersion.objects.get(notice=notice)
    assert version.material and version.published_by == publisher


@pytest.mark.django_db
def test_a_notice_without_an_audience_is_refused(client):
    section = notice_section()
    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER))
    url = reverse("wagtailadmin_pages:add", args=["notices", "changenoticepage", section.pk])
    response = client.post(url, notice_form(audience_everyone=None))
    assert response.status_code == 200
    assert "audience_everyone" in response.context["form"].errors
    assert not ChangeNoticePage.objects.exists()


@pytest.mark.django_db
def test_a_question_needs_a_correct_answer(client):
    section = notice_section()
    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER))
    url = reverse("wagtailadmin_pages:add", args=["notices", "changenoticepage", section.pk])
    question = {
        "question": "무료배송 기준은?",
        "multiple": "",
        "options": streamfield([]) | {"count": 2, "0-deleted": "", "0-order": "0",
                                      "0-value-text": "없음", "0-value-correct": "",
                                      "1-deleted": "", "1-order": "1",
                                      "1-value-text": "1만원", "1-value-correct": ""},
        "explanation": "",
    }  # fmt: skip
    response = client.post(
        url, notice_form(understanding_check=streamfield([("question", question)]))
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["understanding_check"]
    assert not ChangeNoticePage.objects.exists()


@pytest.mark.django_db
def test_a_published_notice_is_kept_as_a_record(client):
    from .builders import publish_notice

    team = TeamFactory()
    notice = publish_notice(teams=[team])
    client.force_login(make_client_staff(role=Role.CLIENT_MANAGER, is_superuser=True))
    response = client.post(reverse("wagtailadmin_pages:delete", args=[notice.pk]))
    assert response.status_code == 302
    assert Page.objects.filter(pk=notice.pk).exists()
