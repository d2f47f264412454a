"""Notice pages for agents (inbox, reading, acknowledging) and status pages for managers.

Vendor managers and team leads use these in the portal; client managers reach the same
views through the Wagtail admin (``wagtail_hooks``), which only swaps the template.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Exists, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.models import Page

from portal.diffs import version_diff
from portal.http import client_ip, safe_next
from portal.organisation.models import AgentProfile, Team, Vendor
from portal.organisation.scoping import viewer_scope
from portal.organisation.views import agent_managers_only
from portal.visibility import visible_page_ids

from . import exports
from .access import own_profile, reader_of
from .acknowledging import (
    AcknowledgementRefused,
    acknowledge,
    closed_for_acknowledgement,
    concerns,
)
from .changes import announced_changes
from .inbox import acknowledgement_of_delivery, inbox, is_overdue, newer_material_version
from .models import Acknowledgement, ChangeNoticePage, Delivery
from .status import STATES, manageable_notice, notice_status, scoped_deliveries
from .versions import current_material_version, latest_version


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
    material = current_material_version(page)
    shown = latest_version(page)
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
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    notice = ChangeNoticePage.objects.filter(pk=notice_id).first()
    profile = own_profile(request.user)
    # Only for oneself: the agent is the signed-in user, never a posted id. A notice that
    # is not live is only acknowledged (and refused) by someone it was delivered to.
    if notice is None or profile is None or not concerns(notice, profile):
        raise Http404
    if (
        not notice.live
        and not Delivery.objects.for_user(request.user).filter(notice=notice).exists()
    ):
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
        )
    except AcknowledgementRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(notice.url + "#acknowledge" if notice.live else "/")
    if outcome.created:
        messages.success(request, _("Thank you. Your confirmation is recorded."))
    else:
        messages.info(request, _("You had already confirmed this version."))
    return redirect(notice.url)


def _client_ip(request) -> str | None:
    return client_ip(request)


# --- Managers -----------------------------------------------------------------------


def manage_list(request, template="notices/manage_list.html"):
    """Notices that reached the viewer's agents, each with its acknowledgement rate."""
    scope = viewer_scope(request.user)
    rows = (
        Delivery.objects.for_scope(scope)
        .exclude(Exists(newer_material_version()))
        .annotate(acknowledged=Exists(acknowledgement_of_delivery()))
        .values("notice_id")
        .annotate(
            delivered=Count("pk"),
            acked=Count("pk", filter=Q(acknowledged=True)),
            read=Count("pk", filter=Q(read_at__isnull=False)),
        )
        .order_by()
    )
    counts = {row["notice_id"]: row for row in rows}
    notices = ChangeNoticePage.objects.filter(pk__in=list(counts)).order_by("-first_published_at")
    now = timezone.now()
    listed = []
    for notice in notices:
        row = counts[notice.pk]
        row["percent"] = round(100 * row["acked"] / row["delivered"]) if row["delivered"] else 0
        row["overdue"] = (
            row["delivered"] - row["acked"]
            if notice.acknowledge_by and notice.acknowledge_by < now
            else 0
        )
        listed.append((notice, row))
    return render(request, template, {"listed": listed})


def _filters(request, user):
    """Vendor and team filters, limited to what the viewer may see (else 404)."""
    scope = viewer_scope(user)
    vendors = list(Vendor.objects.for_scope(scope).order_by("name"))
    teams = list(
        Team.objects.for_scope(scope).select_related("vendor").order_by("vendor__name", "name")
    )
    selected = {"vendor": request.GET.get("vendor", ""), "team": request.GET.get("team", "")}
    vendor_id = team_id = None
    if selected["vendor"]:
        if not selected["vendor"].isdigit() or int(selected["vendor"]) not in {
            v.pk for v in vendors
        }:
            raise Http404
        vendor_id = int(selected["vendor"])
    if selected["team"]:
        if not selected["team"].isdigit() or int(selected["team"]) not in {t.pk for t in teams}:
            raise Http404
        team_id = int(selected["team"])
    state = request.GET.get("state", "unacknowledged")
    selected["state"] = state if state in STATES else "unacknowledged"
    return vendors, teams, vendor_id, team_id, selected


def manage_status(request, notice_id, template="notices/manage_status.html"):
    notice = manageable_notice(request.user, notice_id)
    vendors, teams, vendor_id, team_id, selected = _filters(request, request.user)
    status = notice_status(
        request.user,
        notice,
        vendor_id=vendor_id,
        team_id=team_id,
        state=selected["state"],
        page=request.GET.get("page", 1),
    )
    query = "&".join(f"{k}={v}" for k, v in selected.items() if v)
    return render(
        request,
        template,
        {
            "notice": notice,
            "status": status,
            "vendors": vendors,
            "teams": teams,
            "selected": selected,
            "query": query,
            "states": STATE_LABELS,
            "show_vendor": len(vendors) > 1,
            "chart": _chart(
                status.chart,
                status.totals.delivered,
                timezone.localdate(status.version.published_at) if status.version else None,
            ),
        },
    )


STATE_LABELS = [
    ("unacknowledged", gettext_lazy("Not acknowledged")),
    ("overdue", gettext_lazy("Overdue")),
    ("unread", gettext_lazy("Not opened")),
    ("acknowledged", gettext_lazy("Acknowledged")),
    ("all", gettext_lazy("Everyone")),
]


def _chart(points, delivered, start):
    """Cumulative acknowledgements from the publish day to the last one, as an SVG
    polyline (no chart library needed)."""
    if not points or not delivered:
        return None
    width, height = 600, 160
    first = min(start, points[0][0])
    last = max(points[-1][0], timezone.localdate())
    span = max(1, (last - first).days)
    coords = [(0, height)]
    for day, _n, total in points:
        x = round(width * ((day - first).days + 1) / (span + 1))
        coords.append((x, round(height - height * total / delivered)))
    coords.append((width, coords[-1][1]))
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "first": first,
        "last": last,
        "days": points,
    }


def manage_export(request, notice_id, fmt):
    notice = manageable_notice(request.user, notice_id)
    _vendors, _teams, vendor_id, team_id, selected = _filters(request, request.user)
    version = current_material_version(notice)
    if version is None:
        raise Http404
    scope = viewer_scope(request.user)
    from .status import filter_state

    past_due = bool(notice.acknowledge_by and notice.acknowledge_by < timezone.now())
    deliveries = filter_state(
        scoped_deliveries(notice, version, scope, vendor_id=vendor_id, team_id=team_id),
        selected["state"] if "state" in request.GET else "all",
        past_due,
    ).select_related("agent__user", "agent__vendor", "agent__team")
    deliveries = list(
        deliveries.order_by("agent__vendor__name", "agent__team__name", "agent__user__name")
    )
    acks = exports.acks_for(version, [d.agent_id for d in deliveries])
    header, rows = exports.status_table(deliveries, acks)
    return exports.respond(header, rows, f"notice-{notice.pk}-v{version.number}-status", fmt)


def manage_audit(request, notice_id, fmt):
    notice = manageable_notice(request.user, notice_id)
    acks = exports.audit_rows(Acknowledgement.objects.for_user(request.user).filter(notice=notice))
    header, rows = exports.audit_table(acks)
    return exports.respond(header, rows, f"notice-{notice.pk}-audit", fmt, "audit")


def agent_audit(request, agent_id, fmt):
    agent = AgentProfile.objects.for_user(request.user).filter(pk=agent_id).first()
    if agent is None:
        raise Http404
    acks = exports.audit_rows(Acknowledgement.objects.for_user(request.user).filter(agent=agent))
    header, rows = exports.audit_table(acks)
    return exports.respond(header, rows, f"agent-{agent.employee_number}-audit", fmt, "audit")


@require_POST
def manage_remind(request, notice_id):
    from .tasks import remind_now

    notice = manageable_notice(request.user, notice_id)
    version = current_material_version(notice)
    scope = viewer_scope(request.user)
    ids = list(
        scoped_deliveries(notice, version, scope)
        .filter(acknowledged=False)
        .values_list("pk", flat=True)
    )
    if ids:
        remind_now.delay(ids, request.user.pk)
        messages.success(
            request,
            _("Reminders are on their way to %(n)d agents (at most one an hour each).")
            % {"n": len(ids)},
        )
    else:
        messages.info(request, _("Everyone has acknowledged: nobody to remind."))
    return redirect(safe_next(request, request.path.removesuffix("remind/")))


manage_list_view = agent_managers_only(manage_list)
manage_status_view = agent_managers_only(manage_status)
manage_export_view = agent_managers_only(manage_export)
manage_audit_view = agent_managers_only(manage_audit)
agent_audit_view = agent_managers_only(agent_audit)
manage_remind_view = agent_managers_only(manage_remind)
