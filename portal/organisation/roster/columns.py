"""The roster's columns and the words that name them, in English and in Korean.

Headers are matched loosely (case, spaces, '-' and '_' ignored) so that files made by
hand in Korean Excel import without renaming columns.
"""

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.tabular import reading
from portal.tabular.reading import text

from ..models import AgentProfile, Channel

#: The account's email field holds this many characters.
EMAIL_MAX_LENGTH = 254

REQUIRED_COLUMNS = ("employee_number", "name", "email", "team")
OPTIONAL_COLUMNS = ("channels", "skills", "go_live_date", "status")

COLUMN_LABELS = {
    "employee_number": gettext_lazy("Employee number"),
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("Email"),
    "team": gettext_lazy("Team"),
    "channels": gettext_lazy("Channels"),
    "skills": gettext_lazy("Skills"),
    "go_live_date": gettext_lazy("Go-live date"),
    "status": gettext_lazy("Status"),
}

COLUMN_ALIASES = {
    "employee_number": {"employeenumber", "employeeno", "empno", "사번", "사원번호", "직원번호"},
    "name": {"name", "fullname", "이름", "성명"},
    "email": {"email", "emailaddress", "이메일", "메일", "전자우편"},
    "team": {"team", "teamcode", "teamname", "팀", "소속팀", "팀명", "팀코드"},
    "channels": {"channels", "channel", "채널", "상담채널"},
    "skills": {"skills", "skill", "스킬", "역량", "보유스킬"},
    "go_live_date": {"golivedate", "golive", "오픈일", "투입일", "업무시작일"},
    "status": {"status", "상태", "재직상태", "재직여부"},
}

CHANNEL_ALIASES = {
    Channel.PHONE: {"phone", "call", "voice", "tel", "전화", "유선", "콜"},
    Channel.CHAT: {"chat", "livechat", "채팅", "챗"},
    Channel.EMAIL: {"email", "mail", "이메일", "메일"},
    Channel.MESSENGER: {"messenger", "kakao", "kakaotalk", "메신저", "카카오", "카카오톡", "카톡"},
    Channel.SNS: {"sns", "social", "소셜"},
}
_CHANNEL_BY_WORD = {word: code for code, words in CHANNEL_ALIASES.items() for word in words}

STATUS_ALIASES = {
    AgentProfile.Status.ACTIVE: {"active", "재직", "근무", "재직중", "근무중"},
    AgentProfile.Status.LEFT: {"left", "inactive", "퇴사", "퇴직", "퇴사자"},
}
_STATUS_BY_WORD = {word: status for status, words in STATUS_ALIASES.items() for word in words}

_LIST_SPLIT = re.compile(r"[,;|/]+")
_DATE_PATTERN = re.compile(r"^(\d{4})[-./ ]?(\d{1,2})[-./ ]?(\d{1,2})\.?$")


def match_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Map each known column to its index; return problems with the header as messages."""
    return reading.match_columns(header, COLUMN_ALIASES, REQUIRED_COLUMNS, COLUMN_LABELS)


def parse_email(value) -> str:
    email = text(value)
    if not email:
        raise ValidationError(_("the email is empty"))
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("the email is longer than %(max)d characters") % {"max": EMAIL_MAX_LENGTH}
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid email address") % {"value": email}
        ) from None
    return email


def parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        return None
    match = _DATE_PATTERN.match(raw)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValidationError(
        _("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01") % {"value": raw}
    )


def parse_channels(value) -> frozenset[str]:
    codes = set()
    for word in _LIST_SPLIT.split(text(value)):
        word = re.sub(r"\s+", "", word).lower()
        if not word:
            continue
        code = _CHANNEL_BY_WORD.get(word)
        if code is None:
            raise ValidationError(
                _("unknown channel “%(value)s” (use phone, chat, email, messenger or sns)")
                % {"value": word}
            )
        codes.add(code)
    return frozenset(codes)


def parse_skills(value) -> frozenset[str]:
    skills = set()
    for word in _LIST_SPLIT.split(text(value)):
        word = " ".join(word.split())
        if not word:
            continue
        if len(word) > 100:
            raise ValidationError(_("a skill is longer than 100 characters"))
        skills.add(word)
    return frozenset(skills)


def parse_status(value) -> str:
    raw = re.sub(r"\s+", "", text(value)).lower()
    if not raw:
        return AgentProfile.Status.ACTIVE
    status = _STATUS_BY_WORD.get(raw)
    if status is None:
        raise ValidationError(
            _("unknown status “%(value)s” (use active or left, 재직 or 퇴사)") % {"value": raw}
        )
    return status
