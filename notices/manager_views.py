"""Notices for managers: which notices reached their agents, each notice's status with
its filters, chart and export, the acknowledgement audit, and reminders.

Vendor managers and team leads use these in the portal; client managers reach the list
and status pages through the Wagtail admin (``wagtail_hooks``), which only swaps the
template (``portal.listing.ManagerListing``).
"""

from django.contrib import messages
from django.db.models import Count, Exists, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from portal.charts import day_chart
from portal.http import safe_next
from portal.listing import ManagerListing
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import viewer_scope
from portal.organisation.views import agent_managers_only

from . import exports
from .filters import NoticeStatusFilter
from .inbox import acknowledgement_of_delivery, newer_material_version
from .models import Acknowledgement, ChangeNoticePage, Delivery
from .reminders import plan_manual_reminders
from .status import filter_state, manageable_notice, notice_status, scoped_deliveries
from .tasks import remind_now
from .versions import current_material_version


class NoticeList(ManagerListing):
    """Notices that reached the viewer's agents, each with its acknowledgement rate."""

    template_name = "notices/manage_list.html"
    page_title = gettext_lazy("Notice acknowledgements")
    header_icon = "tasks"

    def get_context_data(self, **context):
        scope = viewer_scope(self.request.user)
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
        notices = ChangeNoticePage.objects.filter(pk__in=list(counts)).order_by(
            "-first_published_at"
        )
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
        return super().get_context_data(listed=listed, **context)


class NoticeStatus(ManagerListing):
    """One notice's status among the viewer's agents; with ``fmt``, its export."""

    template_name = "notices/manage_status.html"
    filterset_class = NoticeStatusFilter
    header_icon = "tasks"
    export_url_name = "notices:manage_export"

    def get(self, request, notice_id, fmt=None):
        self.notice = manageable_notice(request.user, notice_id)
        return super().get(request, fmt=fmt)

    def get_page_title(self):
        return self.notice.title

    def export_url_args(self):
        return [self.notice.pk]

    def get_context_data(self, **context):
        status = notice_status(
            self.request.user,
            self.notice,
            vendor_id=self.filters.pk("vendor"),
            team_id=self.filters.pk("team"),
            state=self.filters.value("state"),
            page=self.request.GET.get("page", 1),
        )
        return super().get_context_data(
            notice=self.notice, status=status, chart=_chart(status), **context
        )

    def get_export_items(self):
        version = current_material_version(self.notice)
        if version is None:
            raise Http404
        # The page always says which agents it shows; a bare export link means everyone.
        state = self.filters.value("state") if "state" in self.request.GET else "all"
        past_due = bool(self.notice.acknowledge_by and self.notice.acknowledge_by < timezone.now())
        deliveries = scoped_deliveries(
            self.notice,
            version,
            viewer_scope(self.request.user),
            vendor_id=self.filters.pk("vendor"),
            team_id=self.filters.pk("team"),
        )
        deliveries = list(
            filter_state(deliveries, state, past_due)
            .select_related("agent__user", "agent__vendor", "agent__team")
            .order_by("agent__vendor__name", "agent__team__name", "agent__user__name")
        )
        self.version = version
        self.past_due = past_due
        return exports.with_acknowledgements(deliveries, version)

    def get_export_columns(self):
        return exports.status_columns(self.past_due)

    def get_export_filename(self):
        return f"notice-{self.notice.pk}-v{self.version.number}-status"


def _chart(status):
    """Acknowledgements so far, from the publish day to the last one."""
    points, delivered = status.chart, status.totals.delivered
    if not points or not delivered:
        return None
    start = timezone.localdate(status.version.published_at)
    return day_chart(
        [(day, total / delivered) for day, _n, total in points],
        first=min(start, points[0][0]),
        last=max(points[-1][0], timezone.localdate()),
        running=True,
        days=[(day, n) for day, n, _total in points],
        prefix="+",
    )


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
    notice = manageable_notice(request.user, notice_id)
    version = current_material_version(notice)
    scope = viewer_scope(request.user)
    ids = list(
        scoped_deliveries(notice, version, scope)
        .filter(acknowledged=False)
        .values_list("pk", flat=True)
    )
    if not ids:
        messages.info(request, _("Everyone has acknowledged: nobody to remind."))
        return redirect(safe_next(request, request.path.removesuffix("remind/")))
    plan = plan_manual_reminders(ids)
    if plan.due:
        remind_now.delay(plan.due, request.user.pk)
        messages.success(
            request,
            ngettext(
                "A reminder is on its way to %(n)d agent.",
                "Reminders are on their way to %(n)d agents.",
                len(plan.due),
            )
            % {"n": len(plan.due)},
        )
    if plan.recently_reminded:
        again = formats.time_format(timezone.localtime(plan.next_allowed_at), "H:i")
        messages.info(
            request,
            ngettext(
                "%(n)d agent was reminded within the last hour and is not reminded again "
                "(at most one reminder an hour; next from %(time)s).",
                "%(n)d agents were reminded within the last hour and are not reminded again "
                "(at most one reminder an hour; next from %(time)s).",
                plan.recently_reminded,
            )
            % {"n": plan.recently_reminded, "time": again},
        )
    if not plan.due and not plan.recently_reminded:
        messages.info(
            request,
            _("Nobody was reminded: the notice no longer waits for confirmation from them."),
        )
    return redirect(safe_next(request, request.path.removesuffix("remind/")))


manage_list_view = NoticeList.in_portal()
manage_status_view = NoticeStatus.in_portal()
manage_audit_view = agent_managers_only(manage_audit)
agent_audit_view = agent_managers_only(agent_audit)
manage_remind_view = agent_managers_only(manage_remind)
