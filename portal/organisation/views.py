"""Vendor-side pages: a manager's or team lead's own agents, never another vendor's."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import AgentProfile, Channel, Team
from .scoping import viewer_scope

AGENTS_PER_PAGE = 50


def agent_managers_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not viewer_scope(request.user).sees_agents:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@agent_managers_only
def agent_list(request):
    agents = (
        AgentProfile.objects.for_user(request.user)
        .select_related("user", "vendor", "team")
        .prefetch_related("channels")
        .order_by("team__name", "employee_number")
    )
    teams = list(Team.objects.for_user(request.user).select_related("vendor"))
    channels = list(Channel.objects.all())

    team_id = request.GET.get("team", "")
    if team_id:
        # A team outside the viewer's scope does not exist for them.
        if not team_id.isdigit() or int(team_id) not in {team.pk for team in teams}:
            raise Http404
        agents = agents.filter(team_id=int(team_id))
    status = request.GET.get("status", AgentProfile.Status.ACTIVE)
    if status in AgentProfile.Status.values:
        agents = agents.filter(status=status)
    channel = request.GET.get("channel", "")
    if channel:
        agents = agents.filter(channels__code=channel)
    query = request.GET.get("q", "").strip()
    if query:
        agents = agents.filter(
            Q(user__name__icontains=query)
            | Q(employee_number__icontains=query)
            | Q(user__email__icontains=query)
        )

    page = Paginator(agents, AGENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisation/agent_list.html",
        {
            "page": page,
            "teams": teams,
            "channels": channels,
            "statuses": AgentProfile.Status.choices,
            "selected": {"team": team_id, "status": status, "channel": channel, "q": query},
            "show_vendor": len({team.vendor_id for team in teams}) > 1,
        },
    )


@agent_managers_only
def agent_detail(request, pk):
    agent = get_object_or_404(
        AgentProfile.objects.for_user(request.user)
        .select_related("user", "vendor", "team")
        .prefetch_related("channels", "skills"),
        pk=pk,
    )
    return render(request, "organisation/agent_detail.html", {"agent": agent})
