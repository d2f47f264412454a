"""Documents and images for tests, stored under the test media root."""

import io

from django.core.files.base import ContentFile
from PIL import Image as PillowImage
from wagtail.documents import get_document_model

from portal.media.models import PortalImage


def make_document(title="환불 규정.pdf", content=b"%PDF-1.4 refund rules"):
    Document = get_document_model()
    document = Document(title=title)
    document.file.save("refund-rules.pdf", ContentFile(content), save=False)
    document.save()
    return document


def make_image(title="배송 지연 안내도"):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    # Wagtail reads the size from the file when it is given at creation.
    return PortalImage.objects.create(
        title=title, file=ContentFile(buffer.getvalue(), name="delay-map.png")
    )
