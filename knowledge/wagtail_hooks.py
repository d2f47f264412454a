"""Knowledge in the admin: "Mark as verified" on a page, the page history's name for a
verification, and the review reports (views in ``knowledge.reports``)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from portal.staff import ClientStaffMenuItem

from . import reports, verification
from .models import KnowledgePage


@hooks.register("register_admin_urls")
def verification_urls():
    return [
        path(
            "knowledge/verify/<int:page_id>/",
            reports.VerifyPageView.as_view(),
            name="knowledge_verify_page",
        ),
        path(
            "knowledge/reports/review-overdue/",
            reports.ReviewOverdueReport.as_view(),
            name="knowledge_review_overdue",
        ),
        path(
            "knowledge/reports/review-overdue/results/",
            reports.ReviewOverdueReport.as_view(results_only=True),
            name="knowledge_review_overdue_results",
        ),
    ]


class VerifyPageButton(PageMenuItem):
    label = _("Mark as verified")
    icon_name = "success"
    url_name = "knowledge_verify_page"

    def is_shown(self, user):
        return self.page.live and verification.can_verify(user, self.page)


@hooks.register("register_page_header_buttons")
def verify_page_button(page, user, view_name, next_url=None):
    if issubclass(page.specific_class or type(page), KnowledgePage):
        yield VerifyPageButton(page=page.specific, next_url=next_url, priority=12)


@hooks.register("register_log_actions")
def verification_log_actions(actions):
    actions.register_action(
        verification.VERIFY_ACTION, _("Mark as verified"), _("Marked as verified")
    )


@hooks.register("register_reports_menu_item")
def review_overdue_menu_item():
    return ClientStaffMenuItem(
        _("Pages overdue for review"),
        reverse("knowledge_review_overdue"),
        name="review-overdue",
        icon_name="time",
        order=1150,
    )
