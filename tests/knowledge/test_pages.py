"""Page types: tree rules, admin creation, how agents see them."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from home.models import HomePage
from knowledge.models import AnswerPolicyPage, ArticlePage, KnowledgeIndexPage, VisionPage
from notices.models import NoticeIndexPage
from tests.knowledge.builders import home_page, section
from training.models import TrainingIndexPage


class TreeRuleTests(WagtailPageTestCase):
    def test_where_each_page_type_may_live(self):
        self.assertAllowedSubpageTypes(
            HomePage, {KnowledgeIndexPage, VisionPage, NoticeIndexPage, TrainingIndexPage}
        )
        self.assertAllowedParentPageTypes(KnowledgeIndexPage, {HomePage, KnowledgeIndexPage})
        self.assertAllowedParentPageTypes(ArticlePage, {KnowledgeIndexPage})
        self.assertAllowedParentPageTypes(AnswerPolicyPage, {KnowledgeIndexPage})
        self.assertAllowedParentPageTypes(VisionPage, {HomePage})
        self.assertAllowedSubpageTypes(ArticlePage, set())

    def test_an_editor_creates_an_article_and_a_policy_in_the_admin(self):
        self.login()
        payments = section("결제")
        self.assertCanCreate(
            payments,
            ArticlePage,
            nested_form_data(
                {
                    "title": "환불 기간",
                    "slug": "refund-period",
                    "summary": "환불은 7일 이내",
                    "body": streamfield([("text", rich_text("<p>7일 이내 환불</p>"))]),
                    "knowledge_audience": inline_formset([]),
                }
            ),
        )
        self.assertCanCreate(
            payments,
            AnswerPolicyPage,
            nested_form_data(
                {
                    "title": "배송비 환불",
                    "slug": "shipping-refund",
                    "situation": "배송비 환불 요청",
                    "authority": "agent_reports",
                    "limit_amount_krw": "3000",
                    "conditions": rich_text("<p>왕복 배송비</p>"),
                    "exclusions": rich_text(""),
                    "effective_from": "2026-11-01",
                    "scripts": inline_formset(
                        [{"channel": "phone", "text": "배송비를 돌려드립니다."}]
                    ),
                    "knowledge_audience": inline_formset([]),
                }
            ),
        )


@pytest.mark.django_db
def test_an_agent_reads_a_policy_with_may_and_may_not(client, world, knowledge):
    client.force_login(world.agent_a1.user)
    response = client.get(knowledge["refund"].url)
    assert response.status_code == 200
    text = response.text
    assert "직접 결정할 수 있습니다" in text or "You may decide" in text
    assert "50,000" in text
    assert "환불해 드리겠습니다" in text


@pytest.mark.django_db
def test_knowledge_needs_a_login(client, knowledge):
    response = client.get(knowledge["refund"].url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_each_page_shows_when_it_last_changed(client, world, knowledge):
    client.force_login(world.agent_a1.user)
    page = Page.objects.get(pk=knowledge["delay"].pk)
    changed = timezone.localtime(page.last_published_at).strftime("%Y-%m-%d %H:%M")
    assert changed in client.get(page.url).text


def test_home_page_is_where_sections_start(db):
    assert KnowledgeIndexPage.can_create_at(home_page())
