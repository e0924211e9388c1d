"""Debian's Chromium for the browser tests: the launch settings, a session-wide browser, and a watch that
fails a test on console errors, page errors or any request that leaves 127.0.0.1."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # screenshots, downloads
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium; `make test` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Watch:
    """What a page did that it must not: console errors, page errors, requests off the server."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.outside: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for, in order
        self.allowed_console: list[re.Pattern] = []

    def check(self) -> None:
        errors = [e for e in self.console_errors if not any(p.search(e) for p in self.allowed_console)]
        assert not self.outside, f"requests left the server: {self.outside}"
        assert not self.page_errors, f"uncaught errors in the page: {self.page_errors}"
        assert not errors, f"console errors: {errors}"


def watch_page(context) -> tuple:
    """A new page in `context` whose requests off 127.0.0.1 are aborted and recorded, with its Watch."""
    watch = Watch()

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            watch.outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda r: watch.requests.append(r.url))
    page.on("console", lambda m: watch.console_errors.append(f"{m.text} @ {m.location.get('url', '')}")
            if m.type == "error" else None)
    page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
    page.set_default_timeout(15_000)
    return page, watch


@pytest.fixture
def watched(browser, live_server):
    """(page, watch) at 1280×900 on the live server; the watch is checked when the test ends."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                  service_workers="block")
    page, watch = watch_page(context)
    yield page, watch
    context.close()
    watch.check()
