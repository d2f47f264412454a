"""What browser tests share besides their fixtures: Debian's Chromium, where screenshots
go, and signing in."""

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sign_in(page, live_server, username, path="/"):
    """Sign in through the login page with the demo password, landing on ``path``."""
    from portal.organisation.demo import DEMO_PASSWORD

    # Leave the current page first: its scripts (the admin pings and releases its editing
    # session) could otherwise bring a session cookie back after it is cleared; if one
    # still did, the login page sends us on signed in, and we clear and ask again.
    account = page.get_by_label("계정")
    for attempt in range(3):
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/?next={path}")
        try:
            account.wait_for(timeout=5_000)
            break
        except Exception:
            if attempt == 2:
                raise
    account.fill(username)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
