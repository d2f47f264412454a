"""Sections, articles and answer policies for tests, published as an editor would; and
the lines of a knowledge import file."""

import json

from wagtail.models import Site

from knowledge.models import (
    AnswerPolicyPage,
    AnswerScript,
    ArticlePage,
    AuthorityLevel,
    KnowledgeAudience,
    KnowledgeIndexPage,
)


def home_page():
    return Site.objects.get(is_default_site=True).root_page.specific


def publish(parent, page, audience=(), tags=()):
    parent.add_child(instance=page)
    for tag in tags:
        page.tags.add(tag)
    for vendor, team in audience:
        KnowledgeAudience.objects.create(page=page, vendor=vendor, team=team)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def section(title="결제·환불", parent=None, **kwargs):
    return publish(parent or home_page(), KnowledgeIndexPage(title=title), **kwargs)


def article(parent, title, text, *, blocks=(), **kwargs):
    """An article whose body is ``text``, then any further ``blocks`` (name, value)."""
    page = ArticlePage(
        title=title,
        summary=kwargs.pop("summary", ""),
        body=[("text", f"<p>{text}</p>"), *blocks],
    )
    return publish(parent, page, **kwargs)


def policy(parent, title, situation, script="", **kwargs):
    fields = {
        key: kwargs.pop(key)
        for key in list(kwargs)
        if key
        in {
            "authority",
            "limit_amount_krw",
            "limit_times_per_customer",
            "limit_window_days",
            "escalation_route",
            "escalation_contact",
            "effective_from",
            "effective_until",
            "exclusions",
        }
    }
    fields.setdefault("authority", AuthorityLevel.AGENT_REPORTS)
    page = AnswerPolicyPage(title=title, situation=situation, **fields)
    if script:
        page.scripts = [AnswerScript(channel="phone", text=script)]
    return publish(parent, page, **kwargs)


def jsonl(*items) -> str:
    """An import file (JSON Lines) of these items."""
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n"


#: An answer policy as an import file gives it.
POLICY_LINE = {
    "external_id": "P-1",
    "title": "배송비 환불",
    "body": "<p>왕복 배송비를 환불합니다.</p>",
    "kind": "policy",
    "authority": "agent",
    "limit_amount_krw": 6000,
    "scripts": {"phone": "배송비를 환불해 드리겠습니다."},
}
