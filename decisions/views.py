"""Decision pages: recording one from a policy page and its confirmation, an agent's own
decisions, and the report managers filter, chart and export (in the portal here; client
staff see the same view in the admin, ``wagtail_hooks``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from notices.access import own_profile
from portal.http import client_ip, see_other
from portal.listing import ManagerListing
from portal.organisation.scoping import viewer_scope
from portal.tabular import local_time_heading
from portal.visibility import can_see_page

from . import report
from .filters import DecisionFilter
from .forms import DecisionForm
from .models import Decision
from .recording import DecisionRejected, PolicyNotFound, escalation, live_policy, record_decision


@require_POST
@login_required
def record_view(request, policy_id):
    """Record the signed-in agent's decision and answer 303: to its confirmation
    (recorded or refused), or back to the form with what to correct."""
    policy = live_policy(policy_id)
    # Only for oneself: the agent is the signed-in person, never a posted id.
    agent = own_profile(request.user)
    # Before anything is said about it, even which form field is missing: to someone
    # who may not open the policy it does not exist.
    if policy is None or agent is None or not can_see_page(request.user, policy):
        raise Http404
    form = DecisionForm(request.POST, policy=policy)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return see_other(policy.url + "#decide")
    try:
        decision = record_decision(
            policy,
            agent,
            **form.cleaned_data,  # channel, amount (if asked), customer, reference, note
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except PolicyNotFound:
        raise Http404 from None
    except DecisionRejected as rejection:
        messages.error(request, str(rejection))
        return see_other(policy.url + "#decide")
    return see_other(reverse("decisions:decision", args=[decision.pk]))


@require_safe
@login_required
def decision_view(request, decision_id):
    """The signed-in agent's own decision: recorded, or refused with where to go instead."""
    decision = (
        Decision.objects.for_user(request.user)
        .filter(pk=decision_id, agent__user=request.user)
        .select_related("policy", "audit_record")
        .defer("audit_record__payload")
        .first()
    )
    if decision is None:
        raise Http404
    return TemplateResponse(
        request,
        "decisions/decision.html",
        {"decision": decision, "escalation": escalation(decision.policy)},
    )


@require_safe
@login_required
def my_decisions_view(request):
    agent = own_profile(request.user)
    if agent is None:
        raise Http404
    decisions = Decision.objects.for_user(request.user).filter(agent=agent)
    return TemplateResponse(
        request,
        "decisions/mine.html",
        {
            "page": report.page_of(decisions, request.GET.get("page", 1)),
            "manages": viewer_scope(request.user).sees_agents,
        },
    )


class DecisionReport(ManagerListing):
    """Decisions of the viewer's agents: filters, totals, a chart per day, the rows and
    their export (references masked, user text inert)."""

    template_name = "decisions/report.html"
    filterset_class = DecisionFilter
    page_title = gettext_lazy("Decisions (reported afterwards)")
    header_icon = "tasks"
    export_url_name = "decisions:report_export"
    export_sheet = "decisions"

    def decisions(self):
        return self.filters.narrow(Decision.objects.for_user(self.request.user))

    def get_context_data(self, **context):
        decisions = self.decisions()
        return super().get_context_data(
            totals=report.totals(decisions),
            chart=report.chart(report.per_day(decisions)),
            page=report.page_of(decisions, self.request.GET.get("page", 1)),
            **context,
        )

    def get_export_items(self):
        return report.listed(self.decisions()).iterator(chunk_size=2000)

    def get_export_columns(self):
        return export_columns()

    def get_export_filename(self):
        return "decisions"


def export_columns():
    return [
        (local_time_heading(_("Decided at")), lambda d: d.decided_at),
        (_("Policy"), lambda d: d.policy.title),
        (_("Policy version"), lambda d: d.policy_revision_id),
        (_("Channel"), lambda d: d.get_channel_display()),
        (_("Amount (KRW)"), lambda d: d.amount_krw),
        (_("Order or ticket reference"), lambda d: d.masked_reference),
        (_("Outcome"), lambda d: d.get_outcome_display()),
        (_("Reason refused"), lambda d: d.get_refusal_display()),
        (_("Note"), lambda d: d.note),
    ]


report_view = DecisionReport.in_portal()
