"""Browser tests: the real app served on 127.0.0.1, driven by headless Chromium.

- `live_server`: the `app` fixture (SQLite file, or PostgreSQL when DATABASE_URL is set)
  served by a werkzeug thread; BASE_URL points at it, so email links open here.
- `browser`: one Chromium for the session (Debian's, found with `shutil.which`).
- `context` / `page`: a fresh context per test. JavaScript is on unless the test
  parametrises `javascript` (`@pytest.mark.parametrize("javascript", [True, False])`).
  `js_disabled_context` gives a second, JavaScript-off context in the same test.
- `axe`: runs axe-core (WCAG 2.2 AA tags) on a page and fails the test listing each
  violation. Page objects run it on every page they arrive at and after every in-page
  update; a test that loads a page nobody checked fails at teardown.
- `csp`: every page listens for Content Security Policy violations (the
  `securitypolicyviolation` event and Chromium's console report). The policy blocks inline
  script, so markup that got into a page unescaped would sit there harmlessly and unseen;
  a violation is how it shows. Any violation fails the test: at each axe check, and at
  teardown for what happened after the last one.
- A failed test leaves a screenshot of each open page in test-artifacts/.
"""
import hashlib
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import WSGIRequestHandler, make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
TIMEOUT_MS = 10_000
# `expect` has its own timeout (5 s by default), apart from the context's: give it the same
# bound, so an assertion waits as long as an action does when workers share the cores.
expect.set_options(timeout=TIMEOUT_MS)
# The copy of a JavaScript-off page runs none of its scripts and, like the app's own policy,
# fetches nothing from other hosts (the NHS.UK stylesheet asks for fonts from one).
COPY_POLICY = "default-src 'self'; script-src 'none'; img-src 'self' data:"
# Runs before the page's own scripts in every document (JavaScript-on pages only): records
# each violation in the page, and hands it to the test at once, so one that happened on a
# page the test has since left is not lost.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const found = `${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
              + `in ${event.documentURI}: ${event.sample}`;
  window.__cspViolations.push(found);
  window.__reportCspViolation(found);
});
"""
CSP_CONSOLE = re.compile(r"Content Security Policy", re.IGNORECASE)
# The shape of a document as axe-core judges it: every element with its attributes, and
# whether it holds text, but not the text itself nor values that change on every request
# (CSRF tokens, in forms and in htmx's headers; nonces; form values). Two documents of the
# same shape get the same verdict, so a test that loads the same page with different words
# (a payload per visit) is audited once per shape, not once per visit.
DOCUMENT_SHAPE = """
() => {
  const volatile = new Set(["value", "nonce", "content", "href", "src", "action",
                            "aria-label", "title", "alt", "placeholder", "datetime",
                            "hx-headers"]);
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent.trim() ? "T" : "";
    if (node.nodeType !== Node.ELEMENT_NODE) return "";
    const attributes = [...node.attributes].map((a) => volatile.has(a.name)
      ? `${a.name}${a.value.trim() ? "+" : "-"}` : `${a.name}=${a.value}`).sort().join(" ");
    return `<${node.localName} ${attributes}>${[...node.childNodes].map(walk).join("")}</>`;
  };
  return walk(document.documentElement);
}
"""


class PassedShapes:
    """The document shapes axe has passed. The stylesheets are the same for every test, so
    a shape one test's page passed passes on any other test's page too.

    Kept for the process's whole run and, when TANDEM_AXE_PASSED names a directory, shared
    through it with every other process given the same one: `make test` gives one to both
    database runs and all their workers, as markup of the same shape is judged the same
    whichever database filled it in. The directory must live for one run only, as a change
    to a stylesheet changes the verdict without changing any shape."""

    def __init__(self, directory: str | None):
        self._directory = Path(directory) if directory else None
        self._here: set[str] = set()

    @staticmethod
    def _key(shape: str) -> str:
        return hashlib.sha256(shape.encode()).hexdigest()

    def __contains__(self, shape: str) -> bool:
        key = self._key(shape)
        if key in self._here:
            return True
        if self._directory is not None and (self._directory / key).exists():
            self._here.add(key)
            return True
        return False

    def add(self, shape: str) -> None:
        key = self._key(shape)
        self._here.add(key)
        if self._directory is not None:
            self._directory.mkdir(parents=True, exist_ok=True)
            (self._directory / key).touch()


PASSED_SHAPES = PassedShapes(os.environ.get("TANDEM_AXE_PASSED"))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell that a test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _failed(request) -> bool:
    return any(getattr(getattr(request.node, f"report_{when}", None), "failed", False)
               for when in ("setup", "call"))


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request on the terminal; errors are still logged."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_server(app):
    """The app on a free port of 127.0.0.1, in a thread of this process."""
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=QuietRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class CspWatch:
    """Content Security Policy violations on every page a test opens."""

    def __init__(self):
        self.violations: list[str] = []
        self._pages: list[tuple[Page, bool]] = []

    def watch(self, context: BrowserContext, javascript: bool) -> Page:
        """A new page in `context`, listened to from its first document on."""
        if javascript:
            context.expose_binding("__reportCspViolation",
                                   lambda source, found: self._record(found))
            context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        self._pages.append((page, javascript))
        return page

    def check(self) -> None:
        """Fail if any page has had a violation so far."""
        for page, javascript in self._pages:
            if javascript and not page.is_closed():
                try:
                    found_here = page.evaluate("window.__cspViolations || []")
                except PlaywrightError:  # mid-navigation: the binding has reported them
                    found_here = []
                for found in found_here:
                    self._record(found)
        if self.violations:
            pytest.fail("Content Security Policy violation(s): something the app did not "
                        "write tried to run or load:\n- " + "\n- ".join(self.violations),
                        pytrace=False)

    def _record(self, found: str) -> None:
        if found not in self.violations:
            self.violations.append(found)

    def _console(self, page: Page, message) -> None:
        if CSP_CONSOLE.search(message.text):
            self._record(f"console on {page.url}: {message.text}")


@pytest.fixture
def csp() -> CspWatch:
    """Checked by `axe` at each page and by `new_page` at teardown."""
    return CspWatch()


class AxeAudit:
    """axe-core over every document a test's pages load.

    A JavaScript-off page cannot run axe (its timers never fire), so its DOM is copied into
    a JavaScript-on page at the same address, with the same stylesheets and no page
    scripts, and checked there.
    """

    def __init__(self, browser: Browser, csp: CspWatch | None = None):
        self._browser, self._csp = browser, csp
        self._copy: Page | None = None
        self._copied = ("", "")
        self._loads: dict[Page, list[str]] = {}
        self._checked: dict[Page, set[int]] = {}
        self._javascript: dict[Page, bool] = {}

    def watch(self, page: Page, javascript: bool) -> None:
        """Count each document `page` loads, to catch one that was never checked."""
        self._loads[page], self._checked[page] = [], set()
        self._javascript[page] = javascript
        page.on("load", lambda loaded: self._loads[page].append(loaded.url))

    def check(self, page: Page) -> None:
        """Run axe on the page as it is now; fail listing any violations."""
        page.wait_for_load_state("load")
        javascript = self._javascript.get(page, True)
        # Scripts are off only for the page's own: the test can still read its DOM.
        shape = page.evaluate(DOCUMENT_SHAPE)
        if shape in PASSED_SHAPES:
            results = None
        elif javascript:
            results = Axe().run(page, options=AXE_OPTIONS)
        else:
            results = self._check_copy(page)
        if page in self._loads:
            self._checked[page].add(len(self._loads[page]) - 1)
        if self._csp is not None:
            self._csp.check()
        violations = results.response["violations"] if results else []
        if violations:
            pytest.fail(self.describe(page.url, violations), pytrace=False)
        PASSED_SHAPES.add(shape)

    def unchecked(self) -> list[str]:
        return [url for page, urls in self._loads.items() for i, url in enumerate(urls)
                if i not in self._checked[page]]

    def close(self) -> None:
        if self._copy is not None:
            self._copy.context.close()

    def _check_copy(self, page: Page):
        """axe's results for a copy of a JavaScript-off page."""
        self._copied = page.content(), page.url.split("#")[0]
        if self._copy is None:
            self._copy = self._browser.new_context().new_page()
            self._copy.route(lambda url: url.split("#")[0] == self._copied[1], self._serve_copy)
        self._copy.goto(self._copied[1])
        return Axe().run(self._copy, options=AXE_OPTIONS)

    def _serve_copy(self, route) -> None:
        route.fulfill(status=200, body=self._copied[0], headers={
            "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": COPY_POLICY})

    @staticmethod
    def describe(url: str, violations: list[dict]) -> str:
        lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                         f" <{violation['helpUrl']}>")
            for node in violation["nodes"]:
                lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
        return "\n".join(lines)


@pytest.fixture
def axe(browser, csp, request):
    audit = AxeAudit(browser, csp)
    yield audit
    audit.close()
    unchecked = audit.unchecked()
    if unchecked and not _failed(request):
        pytest.fail(f"pages loaded but never checked with axe: {unchecked}", pytrace=False)


@pytest.fixture
def javascript() -> bool:
    """Parametrise this to run a test with JavaScript off."""
    return True


@pytest.fixture
def new_page(browser, live_server, axe, csp, request):
    """Open a page in a fresh context, listening for CSP violations; screenshots of every
    page if the test fails."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def open_page(javascript: bool = True) -> Page:
        context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = csp.watch(context, javascript)
        axe.watch(page, javascript)
        pages.append(page)
        return page

    yield open_page
    try:
        if not _failed(request):
            csp.check()  # while the pages are open: what happened after the last axe check
    finally:
        if _failed(request):
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_")
            for n, page in enumerate(p for p in pages if not p.is_closed()):
                suffix = f"-{n}" if n else ""
                page.screenshot(path=ARTIFACTS / f"{name}{suffix}.png", full_page=True)
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page, javascript) -> Page:
    return new_page(javascript=javascript)


@pytest.fixture
def context(page) -> BrowserContext:
    return page.context


@pytest.fixture
def js_disabled_page(new_page) -> Page:
    """A page in its own context with JavaScript off, next to `page`."""
    return new_page(javascript=False)


@pytest.fixture
def js_disabled_context(js_disabled_page) -> BrowserContext:
    return js_disabled_page.context
