"""``{% feedback_box page %}``: the Feedback form under a page agents read."""

from django import template

from ..forms import FeedbackForm

register = template.Library()


@register.inclusion_tag("feedback/_form.html", takes_context=True)
def feedback_box(context, page, lesson_id=""):
    request = context.get("request")
    user = getattr(request, "user", None)
    # Client staff answer feedback in the admin; they do not raise it.
    shown = bool(user and user.is_authenticated and not user.has_perm("wagtailadmin.access_admin"))
    return {
        "shown": shown,
        "feedback_form": FeedbackForm(),
        "feedback_page_id": page.pk,
        "lesson_id": lesson_id,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
