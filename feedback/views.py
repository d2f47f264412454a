"""Feedback pages for agents (raising it, the confirmation, their own items) and the
credited items for the people who look after agents."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from notices.access import own_profile
from portal.http import see_other
from portal.organisation.scoping import viewer_scope

from .credits import counts_by_status, credited, status_rows, with_shown_notices
from .forms import FeedbackForm
from .models import FeedbackItem
from .raising import FeedbackRefused, page_for_feedback, raise_feedback

CREDITED_PER_PAGE = 50


@require_http_methods(["GET", "HEAD", "POST"])
def raise_view(request, page_id):
    """The form (also shown under each page), and its answer: 303 to the confirmation,
    or the form again with what to fix, nothing recorded."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # Only for oneself: the agent is the signed-in user, never a posted id.
    profile = own_profile(request.user)
    page = page_for_feedback(request.user, page_id) if profile else None
    if page is None:
        raise Http404
    lesson_id = request.POST.get("lesson", request.GET.get("lesson", ""))
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            item = raise_feedback(profile, page, lesson_id=lesson_id, **form.cleaned_data)
        except FeedbackRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Thank you. Your feedback reached its owner."))
            return see_other(reverse("feedback:raised", args=[item.pk]))
    context = {"page": page, "form": form, "lesson_id": lesson_id}
    status = 400 if form.is_bound else 200
    return TemplateResponse(request, "feedback/raise.html", context, status=status)


@require_safe
def raised_view(request, item_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    item = (
        FeedbackItem.objects.for_user(request.user)
        .filter(pk=item_id, agent__user=request.user)
        .select_related("page")
        .first()
    )
    if item is None:
        raise Http404
    return TemplateResponse(request, "feedback/raised.html", {"item": item})


@require_safe
def mine_view(request):
    """The agent's own items with their status and reply; opening it marks answers seen."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    items = with_shown_notices(
        request.user,
        FeedbackItem.objects.for_user(request.user)
        .filter(agent__user=request.user)
        .select_related("page", "resolved_by_notice"),
    )
    news = [item.pk for item in items if item.is_news]
    if news:
        FeedbackItem.objects.for_user(request.user).filter(pk__in=news).update(
            seen_at=timezone.now()
        )
    return TemplateResponse(request, "feedback/mine.html", {"items": items, "news": set(news)})


@require_safe
def vendor_view(request):
    """For vendor managers and team leads: their people's feedback by status, and what
    of it changed the service."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not viewer_scope(request.user).sees_agents:
        raise PermissionDenied
    page = Paginator(credited(request.user), CREDITED_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "counts": status_rows(counts_by_status(request.user)),
        "credited": with_shown_notices(request.user, page.object_list),
        "page": page,
    }
    return TemplateResponse(request, "feedback/vendor.html", context)
