"""Text people typed, as the portal keeps it: without the invisible control characters
(a bell, a NUL, an escape) that no keyboard means and no page or sheet shows. A line of
a file or a form (a name, a code, a note) holds none; a text of several lines keeps its
line breaks and tabs."""

import re

from django.utils.translation import gettext as _

_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f]")
_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str, *, lines: bool = False) -> bool:
    return bool((_IN_LINES if lines else _IN_A_LINE).search(value))


def without_control_characters(value: str) -> str:
    """``value`` with its control characters dropped, line breaks and tabs kept."""
    return _IN_LINES.sub("", value)


def control_characters_message() -> str:
    return _("it holds an invisible control character; retype it")
