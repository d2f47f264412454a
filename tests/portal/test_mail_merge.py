"""A mail-merged copy is the message Django would have built for that reader, byte for
byte but for the date and the multipart boundary; a reader it cannot copy exactly is
left to Django."""

from email import message_from_bytes

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.utils.html import escape

from portal.mail import MailMerge
from portal.settings.env import with_sender_name

TOKEN = "\x00name\x00"
SUBJECT = "[긴급] 연말 배송 마감 안내"
TEXT = f"{TOKEN} 님,\n\n12월 24일 14시 주문까지 연내 배송됩니다.\n"
HTML = f"<p>{TOKEN} 님,</p>\n<p>12월 24일 14시 주문까지 <b>연내 배송</b>됩니다.</p>\n"
MESSAGE_ID = "<notice-delivery-123@portal.example.com>"


@pytest.fixture(autouse=True)
def sender(settings):
    settings.DEFAULT_FROM_EMAIL = with_sender_name("portal@example.com", "상담 지식 포털")


def built_by_django(to, name):
    message = EmailMultiAlternatives(
        SUBJECT, TEXT.replace(TOKEN, name), to=[to], headers={"Message-ID": MESSAGE_ID}
    )
    message.attach_alternative(HTML.replace(TOKEN, escape(name)), "text/html")
    encoding = message.encoding or "utf-8"
    envelope = (
        sanitize_address(message.from_email, encoding),
        sanitize_address(to, encoding),
    )
    return envelope, message.message().as_bytes(linesep="\r\n")


def comparable(data: bytes):
    """Headers and decoded parts, without what differs between any two builds."""
    parsed = message_from_bytes(data)
    headers = [(k, None if k in {"Date", "Content-Type"} else v) for k, v in parsed.items()]
    parts = [(dict(part.items()), part.get_payload(decode=True)) for part in parsed.get_payload()]
    return parsed.get_content_type(), headers, parts


@pytest.mark.parametrize(
    ("to", "name"),
    [
        ("agent01@example.com", "김상담"),
        ("Agent.Lee+cs@Example.COM", 'Lee <Jin> & "Sol" O\'Brien'),
        ("a" * 60 + "@example.com", "정" * 80),
        ("agent02@example.com", "김 상담 =?utf-8?q?x?="),
    ],
)
def test_a_copy_is_the_message_django_builds(to, name):
    merge = MailMerge(subject=SUBJECT, text=TEXT, html=HTML, name_token=TOKEN)
    recipient, data = merge.copy(to=to, name=name, message_id=MESSAGE_ID)

    (sender, django_recipient), django_data = built_by_django(to, name)
    assert (merge.sender, recipient) == (sender, django_recipient)
    assert comparable(data) == comparable(django_data)
    parsed = message_from_bytes(data)
    assert parsed["Date"]
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_copies_differ_only_in_their_readers_places():
    merge = MailMerge(subject=SUBJECT, text=TEXT, html=HTML, name_token=TOKEN)
    _, first = merge.copy(to="one@example.com", name="하나", message_id="<m-1@example.com>")
    _, second = merge.copy(to="two@example.com", name="둘", message_id="<m-2@example.com>")

    assert "하나 님" in message_from_bytes(first).get_payload()[0].get_payload(decode=True).decode()
    assert message_from_bytes(second)["To"] == "two@example.com"
    assert message_from_bytes(second)["Message-ID"] == "<m-2@example.com>"


@pytest.mark.parametrize(
    "name",
    ["첫줄\n둘째 줄", "carriage\rreturn", "&" * 60, "김" * 100],
)
def test_a_name_it_cannot_copy_exactly_is_left_to_django(name):
    merge = MailMerge(subject=SUBJECT, text=TEXT, html=HTML, name_token=TOKEN)
    assert merge.copy(to="agent@example.com", name=name, message_id=MESSAGE_ID) is None


@pytest.mark.parametrize("length", [72, 73, 74, 75, 76])
def test_an_address_is_copied_only_where_django_writes_it_on_one_line(length):
    to = "a" * (length - len("@example.com")) + "@example.com"
    merge = MailMerge(subject=SUBJECT, text=TEXT, html=HTML, name_token=TOKEN)
    copy = merge.copy(to=to, name="김상담", message_id=MESSAGE_ID)

    _, django_data = built_by_django(to, "김상담")
    on_one_line = f"To: {to}\r\n".encode() in django_data
    assert (copy is not None) == on_one_line
    if copy is not None:
        assert comparable(copy[1]) == comparable(django_data)


@pytest.mark.parametrize(
    "to",
    [
        "사용자@example.com",
        "agent@도메인.kr",
        '"kim sangdam"@example.com',
        '"a"@example.com',
        "=?utf-8?q?abc?=@example.com",
    ],
)
def test_an_address_that_is_not_plain_is_left_to_django(to):
    """Django writes these differently in the envelope and in the To header."""
    merge = MailMerge(subject=SUBJECT, text=TEXT, html=HTML, name_token=TOKEN)
    assert merge.copy(to=to, name="김상담", message_id=MESSAGE_ID) is None


def test_a_message_id_with_a_space_is_left_to_django():
    merge = MailMerge(subject=SUBJECT, text=TEXT, html=HTML, name_token=TOKEN)
    spaced = "<notice delivery@example.com>"
    assert merge.copy(to="agent@example.com", name="김상담", message_id=spaced) is None


def test_a_body_django_would_encode_is_never_copied():
    long_line = "가" * 300  # 900 bytes: one name more would pass the 998-byte limit
    merge = MailMerge(subject=SUBJECT, text=f"{TOKEN} {long_line}\n", html=HTML, name_token=TOKEN)
    assert merge.copy(to="agent@example.com", name="김", message_id=MESSAGE_ID) is None
