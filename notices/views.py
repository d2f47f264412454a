"""Notice pages for agents: the inbox, reading a notice, acknowledging it and the
confirmation that answers it. Managers' pages are in ``manager_views``."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Page

from portal.diffs import version_diff
from portal.http import client_ip, see_other
from portal.organisation.scoping import viewer_scope
from portal.visibility import visible_page_ids

from .access import addressee, own_profile, reader_of
from .acknowledging import (
    AcknowledgementRefused,
    NotAddressed,
    acknowledge,
    closed_for_acknowledgement,
)
from .changes import announced_changes
from .inbox import inbox, is_overdue, waiting_for_acknowledgement
from .models import Acknowledgement, ChangeNoticePage, Delivery
from .versions import current_versions, published_notice


def serve_notice_index(page, request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = own_profile(request.user)
    deliveries = list(inbox(profile)) if profile else []
    now = timezone.now()
    for delivery in deliveries:
        delivery.overdue = is_overdue(delivery, now)
    return TemplateResponse(
        request,
        "notices/notice_index_page.html",
        {
            "page": page,
            "self": page,
            "deliveries": deliveries,
            "manages": viewer_scope(request.user).sees_agents,
        },
    )


def serve_notice(page, request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reader = reader_of(user, page)
    if reader is None:
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    context = {
        "page": page,
        "self": page,
        "addressed": reader.addressed,
        "manages": reader.manages,
    }
    context.update(_reading_context(page, reader.profile, request))
    return TemplateResponse(request, "notices/change_notice_page.html", context)


def _reading_context(page, profile, request):
    material, shown = current_versions(page)
    context = {
        "material_version": material,
        "shown_version": shown,
        "questions": [
            {
                "index": index,
                "question": q["question"],
                "choices": [(i, c["text"]) for i, c in enumerate(q["options"])],
                "multiple": q["multiple"],
            }
            for index, q in enumerate(page.questions)
        ],
        "affected": _visible_affected(page, request.user),
        "page_changes": announced_changes(page, request.user),
        "acknowledgement": None,
        "closed": closed_for_acknowledgement(page),
        "changes": None,
        "overdue": False,
    }
    if profile is None or material is None:
        return context
    now = timezone.now()
    Delivery.objects.for_user(request.user).filter(
        version=material, agent=profile, read_at__isnull=True
    ).update(read_at=now)
    acks = list(
        Acknowledgement.objects.for_user(request.user)
        .filter(agent=profile, notice=page)
        .select_related("version", "seen_version")
        .order_by("-version__number")
    )
    current = next((a for a in acks if a.version_id == material.pk), None)
    context["acknowledgement"] = current
    context["overdue"] = bool(current is None and page.acknowledge_by and page.acknowledge_by < now)
    if current is None and acks:
        # Acknowledged an earlier version: show what changed since the one they read.
        earlier = acks[0].seen_version
        context["earlier_version"] = earlier
        context["changes"] = version_diff(page, earlier.revision_id, request.user)
    return context


def _visible_affected(page, user):
    ids = [link.page_id for link in page.affected_pages.all()]
    allowed = visible_page_ids(user, ids)
    pages = Page.objects.filter(pk__in=allowed).specific().in_bulk()
    return [pages[pk] for pk in ids if pk in pages]


@require_POST
def acknowledge_view(request, notice_id):
    """Record the confirmation, in one transaction, and answer 303 See Other: to the
    confirmation page, or back to the form with the reason it was refused."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    notice, versions = published_notice(notice_id)
    if notice is None:
        raise Http404
    # Only for oneself: the agent is the signed-in user, never a posted id.
    profile, delivered = addressee(notice, request.user)
    if profile is None:
        raise Http404
    # A notice that is not live is only acknowledged (and refused) by someone it was
    # delivered to: to anyone else it does not exist.
    if not notice.live and not delivered:
        raise Http404
    try:
        revision_id = int(request.POST.get("revision", ""))
    except ValueError:
        revision_id = -1
    answers = {
        key.removeprefix("q"): request.POST.getlist(key)
        for key in request.POST
        if key.startswith("q") and key[1:].isdigit()
    }
    try:
        outcome = acknowledge(
            notice,
            profile,
            revision_id=revision_id,
            answers=answers,
            ip_address=_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            delivered=delivered,
            versions=versions,
        )
    except NotAddressed:
        raise Http404 from None
    except AcknowledgementRefused as refusal:
        messages.error(request, str(refusal))
        return see_other(notice.url + "#acknowledge" if notice.live else "/")
    if outcome.created:
        messages.success(request, _("Thank you. Your confirmation is recorded."))
    else:
        messages.info(request, _("You had already confirmed this version."))
    return see_other(reverse("notices:acknowledged", args=[notice.pk]))


@require_safe
def acknowledged_view(request, notice_id):
    """The signed-in agent's own confirmation of a notice, its latest: what they
    attested, when, and the audit record that proves it. Anybody else's is not found."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    acknowledgement = (
        Acknowledgement.objects.for_user(request.user)
        .filter(notice_id=notice_id, agent__user=request.user)
        .select_related("notice", "version", "seen_version", "audit_record")
        .defer("version__content", "seen_version__content", "audit_record__payload")
        .order_by("-version__number")
        .first()
    )
    if acknowledgement is None:
        raise Http404
    # What to read next: the agent's most urgent notice still waiting, and how many wait.
    waiting = list(
        waiting_for_acknowledgement(acknowledgement.agent_id).values_list("notice_id", flat=True)
    )
    next_notice = ChangeNoticePage.objects.filter(pk=waiting[0]).first() if waiting else None
    return TemplateResponse(
        request,
        "notices/acknowledged.html",
        {
            "acknowledgement": acknowledgement,
            "notice": acknowledgement.notice,
            "next_notice": next_notice,
            "still_waiting": len(waiting),
        },
    )


def _client_ip(request) -> str | None:
    return client_ip(request)
