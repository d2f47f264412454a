"""The demo content loads, and search answers the demo questions well (a regression guard)."""

import pytest

from knowledge.demo import load_demo_knowledge
from knowledge.evaluation import evaluate, read_questions
from knowledge.models import AnswerPolicyPage, ArticlePage, VisionPage
from portal.organisation.scoping import SystemViewer

pytestmark = pytest.mark.django_db


def test_demo_knowledge_loads_and_search_finds_it():
    report = load_demo_knowledge()
    assert report.ok
    assert ArticlePage.objects.live().count() == 30
    assert AnswerPolicyPage.objects.live().count() == 20
    assert VisionPage.objects.live().count() == 1
    assert load_demo_knowledge().created == 0

    from knowledge.demo import DEMO_FILE

    questions = read_questions(DEMO_FILE.with_name("questions.jsonl").read_text(encoding="utf-8"))
    result = evaluate(questions, SystemViewer()).as_dict()
    # Exact: the ranking adds integers, so SQLite and PostgreSQL agree to the last digit.
    assert (result["recall_at_1"], result["recall_at_5"], result["mrr"]) == (0.9, 0.9833, 0.9389)
