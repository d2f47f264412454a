"""Serving a document asks ``portal.media.access`` first (Wagtail's own serve view and hook)."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from wagtail import hooks

from .access import may_download


@hooks.register("before_serve_document")
def documents_follow_their_pages(document, request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_download(request.user, document):
        raise Http404
    return None
