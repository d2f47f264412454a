"""The notices and training sections: each under the home page, holding its own pages."""

from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage
from knowledge.models import KnowledgeIndexPage
from notices.models import ChangeNoticePage, NoticeIndexPage
from training.models import CoursePage, TrainingIndexPage


class SectionTreeTests(WagtailPageTestCase):
    def test_tree_rules(self):
        for section, page in [(NoticeIndexPage, ChangeNoticePage), (TrainingIndexPage, CoursePage)]:
            with self.subTest(section=section.__name__):
                self.assertAllowedParentPageTypes(section, {HomePage})
                self.assertAllowedSubpageTypes(section, {page})
                self.assertAllowedParentPageTypes(page, {section})
                self.assertAllowedSubpageTypes(page, set())
                self.assertCanNotCreateAt(KnowledgeIndexPage, page)
