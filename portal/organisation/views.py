"""Managers' pages: their own agents, and the roster import, never another vendor's.

Vendor managers import their roster here, in the portal; client managers reach the same
roster views through the Wagtail admin (``wagtail_hooks``), which only swaps the template.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from portal.tabular import respond

from .forms import RosterUploadForm
from .models import AgentProfile, Channel, RosterImport, Team, Vendor
from .roster import import_roster
from .roster.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from .scoping import viewer_scope

AGENTS_PER_PAGE = 50
IMPORT_PERMISSION = "organisation.import_roster"
RECENT_IMPORTS = 5


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
    selected = {"team": team_id, "status": status, "channel": channel, "q": query}
    return render(
        request,
        "organisation/agent_list.html",
        {
            "page": page,
            "teams": teams,
            "channels": channels,
            "statuses": AgentProfile.Status.choices,
            "selected": selected,
            "query": urlencode(selected),
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


# --- Roster import -----------------------------------------------------------------


def roster_importers_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def roster_vendors(
    request,
    template="organisation/roster_vendors.html",
    import_url="organisation:roster_import",
):
    """The vendors whose roster the viewer may import; with only one, straight to it."""
    vendors = list(Vendor.objects.for_user(request.user).filter(is_active=True))
    if len(vendors) == 1:
        return redirect(import_url, vendor_id=vendors[0].pk)
    return render(request, template, {"vendors": vendors})


@require_http_methods(["GET", "POST"])
def roster_import(request, vendor_id, template="organisation/roster_import.html"):
    """Upload a vendor's roster; the report lists every bad row, or what was imported."""
    # Another vendor's roster does not exist for a vendor manager.
    vendor = get_object_or_404(Vendor.objects.for_user(request.user), pk=vendor_id)
    report, status = None, 200
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_roster(
                vendor,
                upload.read(),
                upload.name,
                deactivate_missing=form.cleaned_data["deactivate_missing"],
                dry_run=form.cleaned_data["dry_run"],
                imported_by=request.user,
            )
            status = 200 if report.ok else 400
    else:
        form = RosterUploadForm()
    context = {
        "vendor": vendor,
        "form": form,
        "report": report,
        "teams": list(Team.objects.for_user(request.user).filter(vendor=vendor).order_by("name")),
        "required_columns": REQUIRED_COLUMNS,
        "optional_columns": OPTIONAL_COLUMNS,
        "recent_imports": list(
            RosterImport.objects.for_user(request.user)
            .filter(vendor=vendor)
            .select_related("imported_by")[:RECENT_IMPORTS]
        ),
    }
    return render(request, template, context, status=status)


def roster_template(request):
    """An empty roster with the expected columns and one example row, for Excel."""
    header = ["사번", "이름", "이메일", "팀", "채널", "스킬", "투입일", "상태"]
    example = ["A0001", "홍길동", "gildong@example.com", "SEL1", "전화, 채팅", "환불, VIP"]
    return respond(header, [[*example, "2026-12-01", "재직"]], "roster-template", "csv")


roster_vendors_view = roster_importers_only(roster_vendors)
roster_import_view = roster_importers_only(roster_import)
roster_template_view = roster_importers_only(roster_template)
