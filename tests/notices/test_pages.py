"""Notice pages: how they are created in the admin, what the form checks."""

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import streamfield

from notices.models import ChangeNoticePage, NoticeVersion
from portal.organisation.roles import Role
from tests.admin_forms import published_by_a_publisher, refused_fields
from tests.factories import TeamFactory, make_client_staff

from .builders import notice_form, notice_section


@pytest.mark.django_db
def test_a_publisher_creates_and_publishes_a_notice_in_the_admin(client):
    publisher = published_by_a_publisher(client, notice_section(), ChangeNoticePage, notice_form())
    notice = ChangeNoticePage.objects.get(slug="new-membership")
    assert notice.live
    version = NoticeVersion.objects.get(notice=notice)
    assert version.material and version.published_by == publisher


@pytest.mark.django_db
def test_a_question_needs_a_correct_answer(client):
    question = {
        "question": "무료배송 기준은?",
        "multiple": "",
        "options": streamfield([]) | {"count": 2, "0-deleted": "", "0-order": "0",
                                      "0-value-text": "없음", "0-value-correct": "",
                                      "1-deleted": "", "1-order": "1",
                                      "1-value-text": "1만원", "1-value-correct": ""},
        "explanation": "",
    }  # fmt: skip
    data = notice_form(understanding_check=streamfield([("question", question)]))
    refused = refused_fields(client, notice_section(), ChangeNoticePage, data)
    assert refused == ["understanding_check"]


@pytest.mark.django_db
def test_a_published_notice_is_kept_as_a_record(client):
    from .builders import publish_notice

    team = TeamFactory()
    notice = publish_notice(teams=[team])
    client.force_login(make_client_staff(role=Role.CLIENT_MANAGER, is_superuser=True))
    response = client.post(reverse("wagtailadmin_pages:delete", args=[notice.pk]))
    assert response.status_code == 302
    assert Page.objects.filter(pk=notice.pk).exists()
