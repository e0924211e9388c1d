"""Debian's Chromium for the browser tests: the launch settings, a session-wide browser, and a watch that
fails a test on console errors, page errors, any request that leaves 127.0.0.1, any page served without the
Content-Security-Policy, and any violation of that policy (which no allowed console pattern can excuse)."""
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


CSP_MARK = "csp-violation:"
CSP_LISTENER = f"""document.addEventListener('securitypolicyviolation', e => console.error(
    '{CSP_MARK} ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + ' at ' + e.sourceFile + ':' + e.lineNumber));"""


class Watch:
    """What a page did that it must not: console errors, page errors, requests off the server."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.outside: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for, in order
        self.allowed_console: list[re.Pattern] = []
        self.csp_violations: list[str] = []
        self.allowed_csp: list[re.Pattern] = []  # violations a test provokes on purpose
        self.pages_without_csp: list[str] = []

    def check(self) -> None:
        errors = [e for e in self.console_errors if not any(p.search(e) for p in self.allowed_console)]
        violations = [v for v in self.csp_violations if not any(p.search(v) for p in self.allowed_csp)]
        assert not violations, f"Content-Security-Policy violations: {violations}"
        assert not self.pages_without_csp, f"pages served without a Content-Security-Policy: {self.pages_without_csp}"
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
    # Init scripts run outside the page's CSP, so this listener reports every violation the policy blocks.
    page.add_init_script(CSP_LISTENER)

    def console(m) -> None:
        if m.type != "error":
            return
        text = f"{m.text} @ {m.location.get('url', '')}"
        if m.text.startswith(CSP_MARK) or "Content Security Policy" in m.text:
            watch.csp_violations.append(text)
        else:
            watch.console_errors.append(text)

    def response(r) -> None:
        if r.request.resource_type == "document" and urlparse(r.url).hostname == "127.0.0.1" \
                and "content-security-policy" not in r.headers:
            watch.pages_without_csp.append(r.url)

    page.on("console", console)
    page.on("response", response)
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
