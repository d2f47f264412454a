"""Image files (originals and renditions) under ``MEDIA_URL``, each served only to those
who may see a page that shows it. Documents never come from here: they go through
Wagtail's document view (``/documents/<id>/<name>``) and its hook."""

import mimetypes

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .access import may_download
from .models import PortalImage, PortalRendition


def image_file(path: str):
    """(image, stored file) for a media path, matched on the stored name, never on the
    disk; (None, None) when no image has that file."""
    if path.startswith("original_images/"):
        image = PortalImage.objects.filter(file=path).first()
        return (image, image.file) if image else (None, None)
    if path.startswith("images/"):
        rendition = PortalRendition.objects.filter(file=path).select_related("image").first()
        return (rendition.image, rendition.file) if rendition else (None, None)
    return None, None


@require_safe
def serve_media(request, path):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    image, stored = image_file(path)
    if image is None:
        raise Http404
    if not may_download(request.user, image):
        raise Http404
    response = FileResponse(
        stored.open("rb"), content_type=mimetypes.guess_type(path)[0] or "application/octet-stream"
    )
    # Per person: a shared cache must never hand one reader's image to another.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
