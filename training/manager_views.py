"""Go-live readiness for managers: the dashboard with its filters and chart, its export,
and a team lead's sign-off.

Vendor managers and team leads use the readiness view in the portal; client managers
reach the same view through the Wagtail admin (``wagtail_hooks``), which only swaps the
template (``portal.listing.ManagerListing``).
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.charts import day_chart
from portal.http import client_ip, safe_next
from portal.listing import ManagerListing
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import Reach, viewer_scope
from portal.organisation.views import agent_managers_only
from portal.tabular import yes_no

from .filters import ReadinessFilter
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


class Readiness(ManagerListing):
    """Readiness of the viewer's agents: totals, cohorts, a chart and a page of agents;
    with ``fmt``, the export of every agent shown."""

    template_name = "training/readiness.html"
    filterset_class = ReadinessFilter
    page_title = gettext_lazy("Go-live readiness")
    header_icon = "success"
    export_url_name = "training:readiness_export"
    export_sheet = "readiness"

    def get_context_data(self, **context):
        agents = self.filters.qs
        everyone = readiness_of(agents_for_readiness(agents), load_agents=False)
        cohorts = cohorts_of(everyone)
        ready = sum(1 for r in everyone if r.ready)
        page = Paginator(self.filters.shown(everyone), PER_PAGE).get_page(
            self.request.GET.get("page", 1)
        )
        with_outstanding_notices(attach_agents(list(page)))
        go_live_dates = sorted({c.go_live_date for c in cohorts if c.go_live_date})
        return super().get_context_data(
            totals={
                "agents": len(everyone),
                "ready": ready,
                "percent": round(100 * ready / len(everyone)) if everyone else 0,
            },
            cohorts=cohorts,
            rows=page,
            can_sign_off=self.filters.scope.reach in (Reach.VENDOR, Reach.TEAM),
            chart=_chart(self.filters.scope, agents, go_live_dates, len(everyone), ready),
            **context,
        )

    def get_export_items(self):
        agents = agents_for_readiness(self.filters.qs)
        return self.filters.shown(with_outstanding_notices(readiness_of(agents)))

    def get_export_columns(self):
        return [
            (_("Go-live date"), lambda item: item.agent.go_live_date),
            (_("Ready"), lambda item: yes_no(item.ready)),
            (_("Progress (%)"), lambda item: item.percent),
            (_("Courses passed"), lambda item: f"{item.courses_passed}/{len(item.courses)}"),
            (
                _("Notices confirmed"),
                lambda item: f"{item.notices_acknowledged}/{item.notices_required}",
            ),
            (
                _("Signed off"),
                lambda item: yes_no(item.signed_off) if item.sign_off_required else "",
            ),
            (_("Missing"), lambda item: "; ".join(item.blockers)),
        ]

    def get_export_filename(self):
        return f"readiness-{timezone.localdate().isoformat()}"


def _chart(scope, agents, go_live_dates, total, ready):
    """Readiness per day from the daily snapshots, up to today, towards go-live."""
    if not total:
        return None
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
    first = points[0][0]
    target = max([d for d in go_live_dates if d >= today], default=None)
    marks = [(today, "chart__axis", None)]
    if target:
        marks.append((target, "chart__golive", _("Go-live")))
    return day_chart(
        [(day, r / n if n else 0) for day, r, n in points],
        first=first,
        last=max(today, target or today, first + timedelta(days=7)),
        target=True,
        marks=marks,
        days=[(day, round(100 * r / n) if n else 0) for day, r, n in points[-10:]],
        suffix="%",
        go_live=target,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def sign_off_agent(request, agent_id):
    """GET: what signing off attests, asked before it is done (it cannot be undone);
    POST: the sign-off."""
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
    if request.method != "POST":
        return TemplateResponse(
            request,
            "training/sign_off_confirm.html",
            {
                "agent": agent,
                "readiness": readiness,
                "can_sign": readiness.sign_off_required
                and not readiness.signed_off
                and readiness.training_done
                and readiness.notices_done,
                "back": resolve_url(safe_next(request, "training:readiness")),
            },
        )
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


readiness_page = Readiness.in_portal()
sign_off_view = agent_managers_only(sign_off_agent)
