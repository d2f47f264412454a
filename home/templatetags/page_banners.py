"""``{% page_banners page %}``: what the apps have to say about a page (portal.banners)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.banners import banners_for

register = template.Library()


@register.simple_tag(takes_context=True)
def page_banners(context, page):
    request = context.get("request")
    user = getattr(request, "user", None)
    parts = [
        render_to_string(name, {"banner": item, "request": request}, request=request)
        for name, item in banners_for(page, user)
    ]
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered template
