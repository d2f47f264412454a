"""Demo knowledge for 누리마켓, a fictional Korean e-commerce client: a vision page, 20
answer policies for the situations agents meet most, and 30 product and service articles.

The content is a JSON Lines file (``demo_data/knowledge.jsonl``) loaded through
``import_knowledge``, exactly as a knowledge manager would load theirs; safe to re-run.
"""

from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from .importing import ImportReport, import_knowledge
from .models import AnswerPolicyPage, ArticlePage, VisionPage

DEMO_FILE = Path(__file__).resolve().parent / "demo_data" / "knowledge.jsonl"


#: Owners of the demo content, by page type and the demo's client staff usernames.
OWNERS = {
    "answerpolicypage": "nuri-publisher",
    "articlepage": "nuri-editor",
    "visionpage": "nuri-manager",
}
#: A policy nobody has looked at for too long: the review report and its badge show it.
OVERDUE_POLICY = "demo-policy-coupon-expired"


def load_demo_knowledge() -> ImportReport:
    report = import_knowledge(DEMO_FILE.read_text(encoding="utf-8"))
    if not report.ok:
        raise RuntimeError(f"demo knowledge is invalid: {report.errors[:3]}")
    _owners_and_reviews()
    return report


def _owners_and_reviews() -> None:
    """Every demo page has an owner; one policy's review is overdue (safe to re-run)."""

    users = get_user_model().objects.in_bulk(OWNERS.values(), field_name="username")
    for model in (AnswerPolicyPage, ArticlePage, VisionPage):
        owner = users.get(OWNERS[model._meta.model_name])
        unowned = model.objects.filter(external_id__startswith="demo-", content_owner=None)
        if owner is not None:
            unowned.update(content_owner=owner)
    AnswerPolicyPage.objects.filter(external_id=OVERDUE_POLICY).update(
        review_interval_days=90, verified_at=timezone.now() - timedelta(days=130)
    )
