"""What a page is in Elasticsearch: its text by field, analysed for Korean by nori and
for English by a stemmer, and the keywords that facets and filters read.

The Korean analyser:

- ``nori_tokenizer`` with ``decompound_mode: mixed``: a compound is kept and split
  (배송지연 → 배송지연, 배송, 지연), so 배송지연 and 배송 지연 find each other and the
  whole word still counts when written whole; ``discard`` would lose that, ``none``
  would lose the parts;
- ``nori_part_of_speech`` drops what carries no subject: endings (E), particles (J:
  환불은 → 환불), interjections, determiners, conjunctive adverbs, symbols and affixes,
  the copula 이다 (VCP: 환불입니다) and auxiliary verbs (VX: 해 드립니다). Unlike nori's
  default list it keeps general adverbs (MAG): 즉시, 미리, 다시 change what a policy says;
- ``nori_readingform`` reads Hanja as Hangul (退款 style headings); ``lowercase`` for
  Latin names.

Each text field also has an ``english`` sub-field with Elasticsearch's English analyser
(stemming: refunds → refund). Who may open a page is not in the document beyond the ids
of the pages above it and when it stops being shown: audiences are read from the
database when searching (``query``), so changing one needs no re-indexing. Ids, not the
tree path: sorting sections renumbers the paths of the siblings after the one moved and
of everything below them, while ids never change; only a move to another parent
changes a page's ancestors (and re-syncs the moved subtree).
"""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.utils import timezone
from elasticsearch.dsl import Date, Document, Integer, Keyword, Text, analyzer, token_filter
from elasticsearch.dsl import tokenizer as nori
from wagtail.models import Page

from notices.models import ChangeNoticePage

from ..kinds import kind_of
from ..models import AnswerPolicyPage, KnowledgePage

#: Parts of speech nori drops (see the module's docstring for what and why).
STOP_TAGS = [
    "E", "IC", "J", "MAJ", "MM", "SP", "SSC", "SSO", "SC", "SE",
    "XPN", "XSA", "XSN", "XSV", "UNA", "NA", "VSV", "VCP", "VX",
]  # fmt: skip

korean = analyzer(
    "korean",
    tokenizer=nori(
        "korean_nori", "nori_tokenizer", decompound_mode="mixed", discard_punctuation=True
    ),
    filter=[
        token_filter("korean_part_of_speech", "nori_part_of_speech", stoptags=STOP_TAGS),
        "nori_readingform",
        "lowercase",
    ],
)


def _text():
    return Text(analyzer=korean, fields={"english": Text(analyzer="english")})


#: The text fields, as ``search_text()`` gives them.
TEXT_FIELDS = ("title", "summary", "body", "scripts")


class PageDocument(Document):
    """One live page an agent may search."""

    page_id = Integer()
    kind = Keyword()
    content_type = Keyword()
    #: The ids of the page and of every page above it: what a reader outside a section's
    #: audience is kept out by (``knowledge.visibility.denied_page_ids``).
    ancestor_ids = Keyword(multi=True)
    title = _text()
    summary = _text()
    body = _text()
    scripts = _text()
    tags = Keyword(multi=True)
    products = Keyword(multi=True)
    channels = Keyword(multi=True)
    #: When the page stops being shown (expiry, a policy's or a notice's effective
    #: end); absent: never.
    shown_until = Date()
    last_published_at = Date()

    class Index:
        # The concrete index name is given when writing (``indexes``): an alias in front
        # of versioned indexes.
        name = "portal"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


def shown_until(page) -> datetime | None:
    """The moment ``page`` leaves search: the earliest of its expiry and the end of its
    effective period. A policy is shown through its last effective day (local time), as
    ``knowledge.visibility`` has it; a notice until its effective end, as ``in_effect``."""
    ends = [page.expire_at] if page.expire_at else []
    if isinstance(page, AnswerPolicyPage) and page.effective_until:
        day_after = page.effective_until + timedelta(days=1)
        ends.append(timezone.make_aware(datetime.combine(day_after, time.min)))
    if isinstance(page, ChangeNoticePage) and page.effective_until:
        ends.append(page.effective_until)
    return min(ends) if ends else None


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(Page.steplen, len(path) + 1, Page.steplen)]


def ancestor_ids(pages: Iterable) -> dict[int, list[int]]:
    """Per page, the ids of it and the pages above it, root first: one query for all."""
    pages = list(pages)
    paths = {p for page in pages for p in _ancestor_paths(page.path)}
    ids = dict(Page.objects.filter(path__in=sorted(paths)).values_list("path", "pk"))
    return {page.pk: [ids[p] for p in _ancestor_paths(page.path) if p in ids] for page in pages}


def document_of(page, ancestors: list[int] | None = None) -> PageDocument:
    """The document of ``page`` (a specific, searchable page), its id the page's.
    ``ancestors``: its ``ancestor_ids`` when read for many pages at once."""
    if ancestors is None:
        ancestors = ancestor_ids([page])[page.pk]
    text = page.search_text()
    taxonomy = {"tags": [], "products": [], "channels": []}
    if isinstance(page, KnowledgePage):
        taxonomy = {
            "tags": sorted(tag.slug for tag in page.tags.all()),
            "products": sorted(product.code for product in page.products.all()),
            "channels": sorted(channel.code for channel in page.channels.all()),
        }
    return PageDocument(
        meta={"id": page.pk},
        page_id=page.pk,
        kind=kind_of(page),
        content_type=f"{page._meta.app_label}.{page._meta.model_name}",
        ancestor_ids=ancestors,
        **{name: text.get(name) or "" for name in TEXT_FIELDS},
        **taxonomy,
        shown_until=shown_until(page),
        last_published_at=page.last_published_at,
    )
