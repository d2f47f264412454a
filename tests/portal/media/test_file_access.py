"""Documents and images follow the pages that use them: another vendor's, a draft's or an
unused file does not exist for vendor-side people, and nothing is served signed out."""

import pytest
from django.urls import reverse

from tests.knowledge.builders import article, section

from .builders import make_document, make_image

pytestmark = pytest.mark.django_db


def document_url(document):
    return reverse("wagtaildocs_serve", args=[document.pk, document.filename])


@pytest.fixture
def only_b(world):
    """A section limited to vendor B."""
    return section("온누리 전용", audience=[(world.vendor_b, None)])


def test_a_document_on_another_vendors_page_is_404(client, world, only_b):
    document = make_document()
    article(only_b, "온누리 환불 규정", "규정", blocks=[("document", document)])
    url = document_url(document)

    assert client.get(url).status_code == 302  # signed out: to the login page
    assert "/accounts/login/" in client.get(url)["Location"]
    for person in (world.agent_a1.user, world.manager_a.user, world.lead_a1.user):
        client.force_login(person)
        assert client.get(url).status_code == 404, person
    for person in (world.agent_b1.user, world.manager_b.user, world.client_manager):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert b"".join(response.streaming_content) == b"%PDF-1.4 refund rules"


def test_a_document_linked_from_rich_text_follows_that_page(client, world):
    document = make_document()
    everyone = section("결제·환불")
    article(
        everyone,
        "환불 안내",
        f'<a linktype="document" id="{document.pk}">환불 규정</a>을 보세요.',
    )
    client.force_login(world.agent_a1.user)
    assert client.get(document_url(document)).status_code == 200


def test_unused_and_draft_only_documents_are_for_client_staff_only(client, world):
    unused = make_document("unused.pdf")
    in_draft = make_document("draft.pdf")
    draft = article(section("초안"), "초안 안내", "초안", blocks=[("document", in_draft)])
    draft.unpublish()

    client.force_login(world.agent_a1.user)
    assert client.get(document_url(unused)).status_code == 404
    assert client.get(document_url(in_draft)).status_code == 404
    client.force_login(world.client_manager)
    assert client.get(document_url(unused)).status_code == 200


def test_image_files_follow_their_pages(client, world, only_b):
    image = make_image()
    page = article(
        only_b, "온누리 배송 안내", "배송", blocks=[("image", {"image": image, "caption": ""})]
    )
    rendition = image.get_rendition("width-20")
    original = image.file.url
    for url in (original, rendition.url):
        assert url.startswith("/media/")
        client.logout()
        assert client.get(url).status_code == 302
        client.force_login(world.agent_a1.user)
        assert client.get(url).status_code == 404, url
        client.force_login(world.agent_b1.user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/png"
        assert "private" in response["Cache-Control"]
    page.unpublish()
    assert client.get(original).status_code == 404


def test_documents_are_never_served_from_the_media_folder(client, world):
    document = make_document()
    article(section("결제·환불"), "환불 안내", "안내", blocks=[("document", document)])
    client.force_login(world.client_manager)
    assert client.get(document.file.url).status_code == 404
    assert client.get("/media/../portal.sqlite3").status_code == 404
