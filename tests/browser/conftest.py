"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Screenshots go to ``artifacts/screenshots/`` (git-ignored) for people to look at.
"""

import os
import re
from pathlib import Path

import pytest

from .builders import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed; run scripts/ensure_chromium.sh")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the ORM calls the tests make to set up data. Only for the browser tests' duration.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request, page):
    """``screenshot()`` or ``screenshot("step")`` saves a full-page PNG named after the test."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = re.sub(r"[^\w-]+", "_", request.node.name)

    def take(step: str = "") -> Path:
        path = SCREENSHOTS / (f"{base}-{step}.png" if step else f"{base}.png")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
