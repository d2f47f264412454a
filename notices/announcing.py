"""The publisher's flow for a change: schedule a page's draft and announce it, in one go.

Reached from the page editor ("공지와 함께 변경 예약 / Schedule with a notice", which
saves the draft first) for policies, articles and courses. The form shows what will
change, asks when it takes effect and which notice announces it: a new one for the
page's audience, or a draft notice being prepared.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import Page

from portal.staff import is_client_staff

from . import changes
from .models import Change, NoticeIndexPage, NoticeKind

#: Page types whose changes are announced this way.
ANNOUNCEABLE = ("knowledge.AnswerPolicyPage", "knowledge.ArticlePage", "training.CoursePage")


def is_announceable(page) -> bool:
    return f"{page.specific_class._meta.app_label}.{page.specific_class.__name__}" in ANNOUNCEABLE


class AnnounceForm(forms.Form):
    effective_at = forms.DateTimeField(
        label=gettext_lazy("Takes effect at"), widget=AdminDateTimeInput()
    )
    notice_choice = forms.ChoiceField(
        label=gettext_lazy("Announced by"),
        choices=[
            ("new", gettext_lazy("A new notice for the page's audience")),
            ("draft", gettext_lazy("A draft notice being prepared")),
        ],
        widget=forms.RadioSelect,
        initial="new",
    )
    draft_notice = forms.ModelChoiceField(
        label=gettext_lazy("Draft notice"), queryset=None, required=False
    )
    title = forms.CharField(label=gettext_lazy("Notice title"), max_length=255, required=False)
    summary = forms.CharField(
        label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=NoticeKind.choices, initial=NoticeKind.POLICY_CHANGE
    )
    acknowledgement_required = forms.BooleanField(
        label=gettext_lazy("Acknowledgement required"), required=False, initial=True
    )
    acknowledge_by = forms.DateTimeField(
        label=gettext_lazy("Acknowledge by"), required=False, widget=AdminDateTimeInput()
    )
    counts_for_readiness = forms.BooleanField(
        label=gettext_lazy("Counts for go-live readiness"), required=False
    )
    publish_now = forms.BooleanField(
        label=gettext_lazy("Publish the notice now, so agents know before it takes effect"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["draft_notice"].queryset = changes.draft_notices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notice_choice") == "draft":
            if not cleaned.get("draft_notice"):
                self.add_error("draft_notice", _("Choose the draft notice."))
        else:
            for name in ("title", "summary"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("A new notice needs this."))
        effective_at = cleaned.get("effective_at")
        due = cleaned.get("acknowledge_by")
        if effective_at and effective_at <= timezone.now():
            self.add_error("effective_at", _("The change must take effect in the future."))
        if due and due <= timezone.now():
            self.add_error("acknowledge_by", _("The due date is in the past."))
        return cleaned


def _page_for_publisher(request, page_id):
    if not is_client_staff(request.user):
        raise PermissionDenied
    page = get_object_or_404(Page, pk=page_id).specific
    index = NoticeIndexPage.objects.first()
    can_announce = index is not None and index.permissions_for_user(request.user).can_publish()
    if not (is_announceable(page) and page.permissions_for_user(request.user).can_publish()):
        raise PermissionDenied
    if not can_announce:
        raise PermissionDenied
    return page


class AnnounceView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "notices/admin/announce_change.html"
    page_title = gettext_lazy("Schedule a change with a notice")
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        self.page = _page_for_publisher(request, kwargs["page_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.get_admin_display_title(),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        self.preview = changes.preview(self.page, request.user)
        form = AnnounceForm(initial=_initial(self.page, self.preview))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.preview = changes.preview(self.page, request.user)
        form = AnnounceForm(request.POST)
        if form.is_valid():
            try:
                change = _announce(self.page, form.cleaned_data, request.user)
            except changes.ChangeRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return _announced(request, change, form.cleaned_data)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = self.page
        context["preview"] = self.preview
        context["pending"] = changes.pending_changes(self.page).select_related("notice").first()
        return context


announce_view = AnnounceView.as_view()


def _initial(page, preview) -> dict:
    tomorrow = timezone.localdate() + timedelta(days=1)
    starts = timezone.make_aware(datetime.combine(tomorrow, time(0, 0)))
    summary = preview.summary if preview else ""
    return {
        "effective_at": starts,
        "acknowledge_by": starts,
        "title": _("%(page)s: change from %(date)s")
        % {"page": page.title, "date": formats.date_format(tomorrow, "MONTH_DAY_FORMAT")},
        "summary": summary,
    }


def _announce(page, data, user) -> Change:
    if data["notice_choice"] == "draft":
        return changes.announce(
            page, effective_at=data["effective_at"], user=user, notice=data["draft_notice"]
        )
    return changes.announce(
        page,
        effective_at=data["effective_at"],
        user=user,
        new_notice=changes.NewNotice(
            title=data["title"].strip(),
            summary=data["summary"].strip(),
            kind=data["kind"],
            acknowledgement_required=data["acknowledgement_required"],
            acknowledge_by=data["acknowledge_by"] if data["acknowledgement_required"] else None,
            counts_for_readiness=data["counts_for_readiness"],
            publish_now=data["publish_now"],
        ),
    )


def _announced(request, change, data):
    when = timezone.localtime(change.effective_at).strftime("%Y-%m-%d %H:%M")
    if data["notice_choice"] == "new" and data["publish_now"]:
        messages.success(
            request,
            _("The change takes effect at %(when)s and the notice is published.") % {"when": when},
        )
        return redirect("wagtailadmin_pages:edit", change.page_id)
    message = _("The change takes effect at %(when)s. Finish the notice and publish it.")
    messages.success(request, message % {"when": when})
    return redirect("wagtailadmin_pages:edit", change.notice_id)


@require_POST
def cancel_view(request, change_id):
    change = get_object_or_404(Change, pk=change_id)
    _page_for_publisher(request, change.page_id)
    try:
        changes.cancel(change, request.user)
    except changes.ChangeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.warning(
            request,
            _(
                "The change is withdrawn: the page stays as it is. The notice still "
                "announces it; correct or unpublish the notice."
            ),
        )
    return redirect(reverse("wagtailadmin_pages:edit", args=[change.notice_id]))
