"""The review queue in the admin: feedback as a snippet listing with filters, CSV/XLSX
export (user text made inert) and bulk status changes; the owner answers on its edit
form."""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from portal.tabular import InertSpreadsheetExportMixin

from .filters import FeedbackFilterSet
from .forms import FeedbackReviewForm
from .lessons import with_lesson_titles
from .models import FeedbackItem, Status
from .reviewing import set_status


class FeedbackIndexView(InertSpreadsheetExportMixin, IndexView):
    """The queue; its CSV/XLSX made inert as every export of the portal."""

    # A lesson's title is in its course's content: read once for the whole page of rows.
    def get_table(self, object_list):
        return super().get_table(with_lesson_titles(object_list))

    def as_spreadsheet(self, queryset, spreadsheet_format):
        return super().as_spreadsheet(with_lesson_titles(queryset), spreadsheet_format)


class LessonPanel(FieldPanel):
    """The lesson the feedback is on, by its title: the item keeps only its id."""

    class BoundPanel(FieldPanel.BoundPanel):
        @cached_property
        def value_from_instance(self):
            return self.instance.lesson_title

        def is_shown(self):
            return bool(self.instance.lesson_id) and super().is_shown()


class ReviewOnly(ModelPermissionPolicy):
    """Feedback is what agents said: answered in the admin, never added or deleted
    there, not even by a superuser."""

    def user_has_permission(self, user, action):
        return action not in ("add", "delete") and super().user_has_permission(user, action)


class FeedbackViewSet(SnippetViewSet):
    model = FeedbackItem
    icon = "comment"
    menu_label = _("Feedback")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = FeedbackIndexView
    filterset_class = FeedbackFilterSet
    list_display = [
        "__str__",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("page", label=_("Page"), accessor="page.title"),
        Column("lesson", label=_("Lesson"), accessor="lesson_title"),
        Column("vendor", label=_("Vendor"), accessor="agent.vendor.name"),
        Column("owner", label=_("Owner"), accessor="owner"),
        DateColumn("created_at", label=_("Raised")),
    ]
    list_per_page = 50
    list_export = [
        "pk",
        "created_at",
        "get_kind_display",
        "get_status_display",
        "page.title",
        "lesson_title",
        "agent.vendor.name",
        "agent.employee_number",
        "text",
        "customer_quote",
        "reply",
        "owner",
        "credited",
    ]
    export_headings = {
        "pk": _("ID"),
        "created_at": _("Raised"),
        "get_kind_display": _("Kind"),
        "get_status_display": _("Status"),
        "page.title": _("Page"),
        "lesson_title": _("Lesson"),
        "agent.vendor.name": _("Vendor"),
        "agent.employee_number": _("Employee number"),
        "text": _("Feedback"),
        "customer_quote": _("Customer's words"),
        "reply": _("Reply"),
        "owner": _("Owner"),
        "credited": _("Credited"),
    }
    export_filename = "feedback"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("kind", read_only=True), FieldPanel("page", read_only=True)]),
            LessonPanel("lesson_id", read_only=True),
            FieldPanel("text", read_only=True),
            FieldPanel("customer_quote", read_only=True),
            FieldPanel("owner"),
            FieldPanel("status"),
            FieldPanel("reply"),
            FieldPanel("resolved_by_revision"),
            FieldPanel("resolved_by_notice", widget=forms.Select),
        ],
        base_form_class=FeedbackReviewForm,
    )

    def get_queryset(self, request):
        # Every column of a row from one query, whatever the number of rows.
        return (
            FeedbackItem.objects.for_user(request.user)
            .select_related("page", "agent__vendor", "agent__user", "owner")
            .order_by("-created_at", "-pk")
        )


register_permission_policy(FeedbackItem, ReviewOnly(FeedbackItem))
register_snippet(FeedbackViewSet)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)


class SetStatusBulkAction(SnippetBulkAction):
    display_name = _("Set status")
    action_type = "set_status"
    aria_label = _("Set the status of the selected feedback")
    template_name = "feedback/admin/confirm_set_status.html"
    form_class = StatusForm
    action_priority = 10
    models = [FeedbackItem]

    def check_perm(self, item):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", item
        )

    def get_execution_context(self):
        status = self.cleaned_form.cleaned_data["status"]
        return {**super().get_execution_context(), "status": status}

    @classmethod
    def execute_action(cls, objects, status=None, self=None, **kwargs):
        items = FeedbackItem.objects.for_user(self.request.user).filter(
            pk__in=[item.pk for item in objects]
        )
        return set_status(items, status), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d feedback item changed status.",
            "%(count)d feedback items changed status.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


hooks.register("register_bulk_action", SetStatusBulkAction)
