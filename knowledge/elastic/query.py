"""The request a search sends to Elasticsearch, and the answer read back.

Who may open what is a filter of the query itself, never a check after it: a page of
results is never short and never shows what the reader may not open. The filter says
what ``knowledge.visibility.visible_pages`` and ``portal.visibility`` say, from the same
functions:

- knowledge pages (policies, articles, the vision, sections) unless a page
  ``denied_page_ids(user)`` names (an audience the reader is outside of) is among their
  ``ancestor_ids``; a document without them (an index built before they were) is
  nobody's, until ``search_reindex`` rebuilds it;
- notices and courses by id: those the reader may open, in effect, as the database
  answers it (``readable``: few, whatever the size of the knowledge base);
- and only while shown (``shown_until`` after now: expiry, effective periods).

Kinds are counted over the query and its filters (aggregations), then a chosen kind
narrows the hits only (``post_filter``), so the facet shows every kind's count.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from elasticsearch.dsl import Q, Search

from ..kinds import KINDS, KNOWLEDGE_KINDS, SEARCHED_KINDS, SNIPPET_CHARS
from ..visibility import denied_page_ids
from .documents import TEXT_FIELDS

#: Facets beyond the kind, by the document field they count, and how many values each
#: shows.
FACETS = {"tags": 20, "products": 20, "channels": 10}
#: Where a hit's passage comes from, in order of preference.
HIGHLIGHTED = ("summary", "body", "scripts")


def reader_filter(user, readable: set[int], now: datetime) -> Q:
    """What ``user`` may open, as a filter: knowledge pages by the audiences of the pages
    above them, notices and courses by ``readable`` (their ids), everything while shown."""
    if not user.is_authenticated:
        return Q("match_none")
    denied = sorted(denied_page_ids(user))
    knowledge = Q(
        "bool",
        # Fails closed: a document without its ancestors could not be kept out.
        filter=[Q("terms", kind=KNOWLEDGE_KINDS), Q("exists", field="ancestor_ids")],
        must_not=[Q("terms", ancestor_ids=denied)] if denied else [],
    )
    if readable:
        allowed = Q(
            "bool",
            should=[knowledge, Q("terms", page_id=sorted(readable))],
            minimum_should_match=1,
        )
    else:
        allowed = knowledge
    shown = Q(
        "bool",
        should=[
            Q("bool", must_not=[Q("exists", field="shown_until")]),
            Q("range", shown_until={"gt": now.isoformat()}),
        ],
        minimum_should_match=1,
    )
    return Q("bool", filter=[allowed, shown])


def text_query(query: str) -> Q:
    """The words in every text field, Korean and English, weighted as the portal's own
    ranking weighs its fields (``SEARCH_RANKING["FIELD_WEIGHTS"]``)."""
    weights = settings.SEARCH_RANKING["FIELD_WEIGHTS"]
    fields = []
    for name in TEXT_FIELDS:
        weight = weights.get(name, 1.0)
        fields += [f"{name}^{weight:g}", f"{name}.english^{weight:g}"]
    # The best field counts, the others a little: a word in the title and the body is
    # worth more than in one, without the English sub-field counting it twice in full.
    return Q("multi_match", query=query, fields=fields, type="best_fields", tie_breaker=0.3)


def search_request(
    index: str,
    user,
    query: str,
    *,
    readable: set[int],
    now: datetime,
    kind: str = "",
    tag: str = "",
    page: int = 1,
    per_page: int = 10,
) -> Search:
    """The whole request of one search: ``query`` (may be empty when ``tag`` is given),
    the reader's filter, the kind counts and facets, the page of hits and its passages."""
    kinds = SEARCHED_KINDS + (["section"] if kind == "section" else [])
    filters = [Q("terms", kind=kinds), reader_filter(user, readable, now)]
    if tag:
        filters.append(Q("term", tags=tag))
    must = [text_query(query)] if query else []
    search = Search(index=index).query(Q("bool", must=must, filter=filters))
    if kind in KINDS:
        search = search.post_filter(Q("term", kind=kind))
    search.aggs.bucket("kinds", "terms", field="kind", size=len(KINDS))
    for name, size in FACETS.items():
        search.aggs.bucket(name, "terms", field=name, size=size)
    if query:
        search = search.sort("_score", {"page_id": "asc"})
        search = search.highlight_options(
            encoder="html",
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            fragment_size=SNIPPET_CHARS,
            number_of_fragments=1,
        ).highlight(*HIGHLIGHTED, *(f"{name}.english" for name in HIGHLIGHTED))
    else:
        # A tag alone: its pages, newest first, as the portal's own search lists them.
        search = search.sort({"last_published_at": "desc"}, {"page_id": "asc"})
    start = (max(1, page) - 1) * per_page
    return search.extra(from_=start, size=per_page, track_total_hits=True).source(
        ["page_id", "kind"]
    )


@dataclass
class Answer:
    """What Elasticsearch answered, in the portal's terms."""

    #: (page id, kind, highlighted passage as HTML escaped by Elasticsearch, or "").
    hits: list[tuple[int, str, str]] = field(default_factory=list)
    total: int = 0
    #: Matches per kind, whichever kind was chosen.
    kinds: dict[str, int] = field(default_factory=dict)
    #: Per facet field (``FACETS``), (value, matches), most first.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def answer_of(body: dict) -> Answer:
    """Read a search response's body (``search_request``'s)."""
    aggregations = body.get("aggregations", {})
    hits = [
        (int(hit["_source"]["page_id"]), hit["_source"]["kind"], _passage(hit))
        for hit in body["hits"]["hits"]
    ]

    def buckets(name):
        return [(b["key"], b["doc_count"]) for b in aggregations.get(name, {}).get("buckets", [])]

    return Answer(
        hits=hits,
        total=body["hits"]["total"]["value"],
        kinds=dict(buckets("kinds")),
        facets={name: buckets(name) for name in FACETS},
    )


def _passage(hit: dict) -> str:
    highlight = hit.get("highlight", {})
    for name in HIGHLIGHTED:
        for field_name in (name, f"{name}.english"):
            if highlight.get(field_name):
                return highlight[field_name][0]
    return ""
