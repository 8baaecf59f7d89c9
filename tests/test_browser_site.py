"""The handover site in a real browser: headless Chromium through Playwright.

The site is opened over http://127.0.0.1 and from file:// (buyers get it as a
zip). Each run checks that a reader reaches a decision-boundary page through
the navigation, finds a decision with the built-in search, sees its
flowchart drawn as SVG, and that there is no console error and no request to
any host but the local one (every other request is blocked and recorded).
Screenshots go to tests/artifacts/ (not committed).

Without Chromium or Playwright these tests skip, saying why; with
SPECGEN_REQUIRE_BROWSER=1 (set by CI) that is a failure instead.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.build import build_site
from specgen.spec.schema import Project, Spec
from tests.browser_support import launch_chromium
from tests.paths import EXAMPLES, PROJECT_FILE, spec_files
from tests.site_support import PROBE, inject_markup

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CREDIT = "workflows/credit-decision-assistant"

OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""
"""Material draws Mermaid diagrams in closed shadow roots; the tests open them to look inside."""

COUNT_PROBES = """
(probe) => {
  let found = 0;
  const visit = (root) => {
    found += root.querySelectorAll("." + probe).length;
    for (const el of root.querySelectorAll("*")) { if (el.shadowRoot) visit(el.shadowRoot); }
  };
  visit(document);
  return found;
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), driven by Playwright."""
    yield from launch_chromium()


def _build(root: Path, specs: Path, project_file: Path) -> Path:
    portfolio = load_portfolio([specs], project_file=project_file)
    assert portfolio.ok, portfolio.diagnostics[:3]
    return build_site(portfolio, root / "site", report=check_portfolio(portfolio)).output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled examples, built."""
    return _build(tmp_path_factory.mktemp("site"), EXAMPLES, PROJECT_FILE)


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The credit example with markup appended to every free-text field of it
    and of the project file, built."""
    root = tmp_path_factory.mktemp("injected")
    project = yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))
    spec = yaml.safe_load((EXAMPLES / "credit-decision-assistant.yml").read_text(encoding="utf-8"))
    inject_markup(project, Project)
    inject_markup(spec, Spec)
    (root / "specs").mkdir()
    (root / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    (root / "specs" / "credit.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return _build(root, root / "specs", root / "specgen.yml")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def http_root(site: Path) -> Iterator[str]:
    """The built site served on a free port of 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@dataclass
class Watch:
    """What a page did: console errors and requests to other hosts (blocked)."""

    allowed: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((self.allowed, "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


def _page(browser: Any, root: str) -> tuple[Any, Watch]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(OPEN_SHADOW_ROOTS)
    watch = Watch(root if root.startswith("http") else "file://")
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("console", lambda message: watch.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    return page, watch


def _roots(site: Path, http_root: str) -> dict[str, str]:
    return {"http": http_root, "file": site.as_uri() + "/"}


@pytest.mark.parametrize("mode", ["http", "file"])
def test_a_reader_finds_a_decision_and_its_flowchart(browser: Any, site: Path, http_root: str, mode: str) -> None:
    root = _roots(site, http_root)[mode]
    page, watch = _page(browser, root)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(root + "index.html")
        page.get_by_role("link", name="Credit-decision assistant for personal loans").first.click()
        page.wait_for_url(f"**/{CREDIT}/index.html")
        page.screenshot(path=str(ARTIFACTS / f"home-{mode}.png"))
        page.locator(".md-sidebar--primary").get_by_role("link", name="Decision boundaries").click()
        page.wait_for_url(f"**/{CREDIT}/decisions.html")

        diagrams = page.locator("div.mermaid svg")
        diagrams.nth(2).wait_for(timeout=20_000)
        assert diagrams.count() == 3
        assert "Credit Risk Officer (Tom Okafor)" in (diagrams.nth(1).text_content() or "")
        page.screenshot(path=str(ARTIFACTS / f"decisions-{mode}.png"), full_page=True)

        page.goto(root + "index.html")
        page.keyboard.press("/")
        page.keyboard.type("Refer an application with a recommendation", delay=10)
        result = page.locator('.md-search-result a[href*="#decision-refer-to-officer"]').first
        result.wait_for(timeout=10_000)
        assert "Refer an application with a recommendation" in result.inner_text()
        result.click()
        page.wait_for_url(re.compile(rf".*/{CREDIT}/decisions\.html(\?h=[^#]*)?#decision-refer-to-officer$"))
        assert page.locator("#decision-refer-to-officer").is_visible()
        page.locator("div.mermaid svg").nth(2).wait_for(timeout=20_000)
    finally:
        page.context.close()
    assert watch.errors == []
    assert watch.foreign == []


def test_the_home_page_lists_every_workflow_with_its_readiness(browser: Any, site: Path) -> None:
    page, watch = _page(browser, "file://")
    try:
        page.goto(site.as_uri() + "/index.html")
        rows = page.locator("table").nth(1).locator("tbody tr")
        assert rows.count() == len(spec_files())
        assert "Ready for" in rows.first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    finally:
        page.context.close()
    assert watch.errors == [] and watch.foreign == []


def test_injected_markup_never_reaches_the_dom(browser: Any, injected_site: Path) -> None:
    pages = sorted(p for p in injected_site.rglob("*.html") if p.name != "404.html")
    assert len(pages) >= 8
    page, watch = _page(browser, "file://")
    shown = 0
    try:
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_function("document.querySelectorAll('pre.mermaid').length === 0", timeout=20_000)
            assert page.evaluate("typeof window.__xss") == "undefined", path
            assert page.evaluate(COUNT_PROBES, PROBE) == 0, path
            shown += page.evaluate("document.body.innerText.split('<script>window.__xss=1</script>').length - 1")
    finally:
        page.context.close()
    assert shown > 50, "the markup is shown as text"
    assert watch.errors == []
    assert watch.foreign == []
