"""The search page and its JSON twin; both go through ``search_knowledge``, and both show
each hit's kind and how many hits there are of each kind."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from taggit.models import Tag

from .search import KIND_LABELS, KINDS, search_knowledge
from .visibility import visible_pages


def _params(request):
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    kind = request.GET.get("kind", "")
    return {
        "query": request.GET.get("q", "")[:200],
        "kind": kind if kind in KINDS else "",
        "tag": request.GET.get("tag", "")[:100],
        "page": page,
    }


@login_required
def search(request):
    params = _params(request)
    results = search_knowledge(
        request.user, params["query"], kind=params["kind"], tag=params["tag"], page=params["page"]
    )
    # Only tags of pages this person may open: a tag can name another vendor's campaign.
    tags = (
        Tag.objects.filter(
            knowledge_knowledgetag_items__content_object__in=visible_pages(request.user)
        )
        .distinct()
        .order_by("name")
    )
    return render(
        request,
        "knowledge/search.html",
        {**params, "results": results, "tags": tags, "kinds": list(KIND_LABELS.items())},
    )


@login_required
def search_json(request):
    params = _params(request)
    results = search_knowledge(
        request.user, params["query"], kind=params["kind"], tag=params["tag"], page=params["page"]
    )
    return JsonResponse(
        {
            "query": results.query,
            "total": results.total,
            "page": results.page_number,
            "pages": results.num_pages,
            # False: "total" and "pages" are what is ranked so far; there are more.
            "complete": results.complete,
            # Hits per kind for this query, whichever kind was asked for; a kind not in
            # "facets_complete" has at least that many.
            "facets": {facet.kind: facet.count for facet in results.facets},
            "facets_complete": [facet.kind for facet in results.facets if facet.complete],
            "results": [
                {
                    "id": hit.page.pk,
                    "title": hit.page.title,
                    "kind": hit.kind,
                    "url": hit.url,
                    "lesson": hit.lesson_title or None,
                    "snippet": str(hit.snippet),
                    "last_changed": hit.page.last_published_at,
                }
                for hit in results.hits
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
