"""Go-live readiness for managers: the dashboard with its filters and chart, its export,
and a team lead's sign-off.

Vendor managers and team leads use the readiness view in the portal; client managers
reach the same view through the Wagtail admin (``wagtail_hooks``), which only swaps the
template.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.http import client_ip, safe_next
from portal.organisation.models import AgentProfile, Team, Vendor
from portal.organisation.scoping import Reach, viewer_scope
from portal.organisation.views import agent_managers_only
from portal.tabular import agent_cells, agent_columns, respond

from .models import ReadinessSnapshot
from .readiness import (
    agent_readiness,
    agents_for_readiness,
    attach_agents,
    cohorts_of,
    readiness_of,
    with_outstanding_notices,
)
from .signing import SignOffRefused, sign_off

PER_PAGE = 50


STATES = [
    ("all", gettext_lazy("Everyone")),
    ("not_ready", gettext_lazy("Not ready")),
    ("ready", gettext_lazy("Ready")),
]


def _filters(request):
    """Vendor, team, go-live date and state, limited to what the viewer may see (else 404)."""
    scope = viewer_scope(request.user)
    vendors = list(Vendor.objects.for_scope(scope).order_by("name"))
    teams = list(
        Team.objects.for_scope(scope).select_related("vendor").order_by("vendor__name", "name")
    )
    selected = {
        "vendor": request.GET.get("vendor", ""),
        "team": request.GET.get("team", ""),
        "go_live": request.GET.get("go_live", ""),
        "state": request.GET.get("state", "all"),
    }
    agents = AgentProfile.objects.for_scope(scope)
    if selected["vendor"]:
        if not selected["vendor"].isdigit() or int(selected["vendor"]) not in {
            v.pk for v in vendors
        }:
            raise Http404
        agents = agents.filter(vendor_id=int(selected["vendor"]))
    if selected["team"]:
        if not selected["team"].isdigit() or int(selected["team"]) not in {t.pk for t in teams}:
            raise Http404
        agents = agents.filter(team_id=int(selected["team"]))
    if selected["go_live"]:
        try:
            agents = agents.filter(go_live_date=date.fromisoformat(selected["go_live"]))
        except ValueError:
            selected["go_live"] = ""
    if selected["state"] not in dict(STATES):
        selected["state"] = "all"
    return scope, vendors, teams, agents, selected


def readiness_view(request, template="training/readiness.html"):
    scope, vendors, teams, agents, selected = _filters(request)
    everyone = readiness_of(agents_for_readiness(agents), load_agents=False)
    cohorts = cohorts_of(everyone)
    ready = sum(1 for r in everyone if r.ready)
    shown = [
        r
        for r in everyone
        if selected["state"] == "all" or (r.ready == (selected["state"] == "ready"))
    ]
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page", 1))
    with_outstanding_notices(attach_agents(list(page)))
    query = "&".join(f"{k}={v}" for k, v in selected.items() if v)
    go_live_dates = sorted({c.go_live_date for c in cohorts if c.go_live_date})
    return render(
        request,
        template,
        {
            "totals": {
                "agents": len(everyone),
                "ready": ready,
                "percent": round(100 * ready / len(everyone)) if everyone else 0,
            },
            "cohorts": cohorts,
            "rows": page,
            "vendors": vendors,
            "teams": teams,
            "selected": selected,
            "states": STATES,
            "query": query,
            "show_vendor": len(vendors) > 1,
            "can_sign_off": scope.reach in (Reach.VENDOR, Reach.TEAM),
            "go_live_dates": go_live_dates,
            "chart": _chart(scope, agents, go_live_dates, len(everyone), ready),
        },
    )


def _chart(scope, agents, go_live_dates, total, ready):
    """Readiness % per day from the daily snapshots, up to today, towards go-live."""
    today = timezone.localdate()
    rows = (
        ReadinessSnapshot.objects.for_scope(scope)
        .filter(team_id__in=agents.values("team_id"))
        .filter(go_live_date__in=go_live_dates or [today])
        .values("day")
        .annotate(agents=Sum("agents"), ready=Sum("ready"))
        .order_by("day")
    )
    points = [(row["day"], row["ready"], row["agents"]) for row in rows if row["day"] < today]
    points.append((today, ready, total))
    if not total:
        return None
    first = points[0][0]
    target = max([d for d in go_live_dates if d >= today], default=None)
    last = max(today, target or today, first + timedelta(days=7))
    span = max(1, (last - first).days)
    width, height = 600, 160

    def x(day):
        return round(width * (day - first).days / span)

    coords = " ".join(
        f"{x(day)},{round(height - height * (r / n if n else 0))}" for day, r, n in points
    )
    return {
        "width": width,
        "height": height,
        "points": coords,
        "first": first,
        "last": last,
        "go_live_x": x(target) if target else None,
        "go_live": target,
        "today_x": x(today),
        "days": [(day, round(100 * r / n) if n else 0) for day, r, n in points[-10:]],
    }


def readiness_export(request, fmt):
    _scope, _vendors, _teams, agents, selected = _filters(request)
    everyone = with_outstanding_notices(readiness_of(agents_for_readiness(agents)))
    if selected["state"] != "all":
        everyone = [r for r in everyone if r.ready == (selected["state"] == "ready")]
    header = [
        *agent_columns(),
        _("Go-live date"),
        _("Ready"),
        _("Progress (%)"),
        _("Courses passed"),
        _("Notices confirmed"),
        _("Signed off"),
        _("Missing"),
    ]
    rows = []
    for item in everyone:
        agent = item.agent
        rows.append(
            [
                *agent_cells(agent),
                agent.go_live_date.isoformat() if agent.go_live_date else "",
                _("yes") if item.ready else _("no"),
                item.percent,
                f"{item.courses_passed}/{len(item.courses)}",
                f"{item.notices_acknowledged}/{item.notices_required}",
                (_("yes") if item.signed_off else _("no")) if item.sign_off_required else "",
                "; ".join(item.blockers),
            ]
        )
    return respond(header, rows, f"readiness-{timezone.localdate().isoformat()}", fmt, "readiness")


@require_POST
def sign_off_agent(request, agent_id):
    scope = viewer_scope(request.user)
    if scope.reach not in (Reach.VENDOR, Reach.TEAM):
        raise PermissionDenied
    agent = (
        AgentProfile.objects.for_user(request.user)
        .filter(pk=agent_id)
        .select_related("user", "vendor", "team")
        .first()
    )
    if agent is None:
        raise Http404
    readiness = agent_readiness(agent)
    try:
        _row, created = sign_off(
            readiness,
            request.user,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except SignOffRefused as refusal:
        messages.error(request, str(refusal))
    else:
        name = agent.user.get_full_name()
        if created:
            messages.success(request, _("%(name)s is signed off for go-live.") % {"name": name})
        else:
            messages.info(request, _("%(name)s was already signed off.") % {"name": name})
    return redirect(safe_next(request, "training:readiness"))


readiness_page = agent_managers_only(readiness_view)
readiness_export_view = agent_managers_only(readiness_export)
sign_off_view = agent_managers_only(sign_off_agent)
