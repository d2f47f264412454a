"""Reading configuration from the environment, with the embedded defaults of a first run."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def mandatory_secret(name: str) -> str:
    """A secret production cannot run without: fail at start-up, not at first use."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Production settings refuse to start without it; "
            f"generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return value


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from exc


def with_sender_name(address: str, name: str) -> str:
    """``address`` as a sender with a display name: kept as it is if it already has one
    (``Portal <portal@example.com>``), else ``name`` is put before it."""
    from email.utils import parseaddr

    shown, bare = parseaddr(address)
    if shown or not name or not bare:
        return address
    # Unencoded: Django encodes the header when it sends (a Korean name included).
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{bare}>'
