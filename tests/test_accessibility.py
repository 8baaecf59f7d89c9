"""The handover site is accessible: axe-core in headless Chromium, and the keyboard.

axe-core (npm ``axe-core``, pinned in ``.ci/axe/package.json``; ``npm ci
--prefix .ci/axe`` installs it into ``.ci/axe/node_modules``, which git
ignores) is injected into every page type of the example site, with Mermaid's
closed shadow roots opened so the flowcharts are checked too. Every page must
have no serious or critical violation of the WCAG 2.0/2.1 A and AA rules; the
rest (moderate, minor) is written to ``tests/artifacts/axe-report.json`` and
printed. A page broken on purpose (``tests/data/a11y/broken.html``) must fail
the same check, so a check that finds nothing cannot pass unnoticed.

Without Chromium, Playwright or axe-core these tests skip, saying why; with
SPECGEN_REQUIRE_BROWSER=1 (set by CI) that is a failure instead. Nothing is
downloaded at test time.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.build import build_site
from tests.browser_support import launch_chromium
from tests.paths import EXAMPLES, PROJECT_FILE, REPO

pytestmark = pytest.mark.browser

AXE = REPO / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts"
BROKEN = REPO / "tests" / "data" / "a11y" / "broken.html"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

CREDIT = "workflows/credit-decision-assistant"
PAGE_TYPES = {
    "home": "index.html",
    "glossary": "glossary.html",
    "field reference": "reference.html",
    "workflow overview": f"{CREDIT}/index.html",
    "decision boundaries": f"{CREDIT}/decisions.html",
    "controls": f"{CREDIT}/controls.html",
    "runbook": f"{CREDIT}/runbooks/bureau-outage.html",
    "acceptance": f"{CREDIT}/acceptance.html",
    "exit": f"{CREDIT}/exit.html",
    "definition": f"{CREDIT}/definition.html",
    "history": f"{CREDIT}/history.html",
    "printable version": f"{CREDIT}/print.html",
}

OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""
"""Material draws Mermaid diagrams in closed shadow roots; opened, axe checks them too."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), driven by Playwright."""
    yield from launch_chromium((AXE, "npm ci --prefix .ci/axe"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def http_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, built and served on a free port of 127.0.0.1."""
    portfolio = load_portfolio([EXAMPLES], project_file=PROJECT_FILE)
    site = build_site(portfolio, tmp_path_factory.mktemp("a11y") / "site", report=check_portfolio(portfolio)).output
    for page in PAGE_TYPES.values():
        assert (site / page).exists(), page
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script(OPEN_SHADOW_ROOTS)
    yield ctx
    ctx.close()


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url, wait_until="load")
    if page.locator("pre.mermaid, div.mermaid").count():
        page.wait_for_function("() => [...document.querySelectorAll('.mermaid')].every(m => m.shadowRoot)")
    return page


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return result["violations"]


def _summary(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']}; first at {v['nodes'][0]['target']}"
        for v in violations
    ]


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, list[str]]]:
    """What is left (moderate, minor), written out and printed at the end of the module."""
    found: dict[str, list[str]] = {}
    yield found
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    remaining = sum(len(v) for v in found.values())
    print(f"\naxe-core: {remaining} moderate or minor violation(s) left; see {ARTIFACTS / 'axe-report.json'}")
    for page, lines in found.items():
        for line in lines:
            print(f"  {page}: {line}")


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_every_page_type_has_no_serious_or_critical_violation(
    context: Any, http_root: str, report: dict[str, list[str]], kind: str
) -> None:
    page = _open(context, http_root + PAGE_TYPES[kind])
    try:
        violations = _axe(page)
        tables = page.evaluate(
            """() => [...document.querySelectorAll('.md-content table')].map(t =>
                 [!!t.querySelector('th'), (t.caption?.textContent || '').trim()])"""
        )
    finally:
        page.close()
    # every table has header cells and a caption (for screen readers)
    assert all(has_header and caption for has_header, caption in tables), tables
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    report[kind] = _summary([v for v in violations if v["impact"] not in BLOCKING])
    assert not blocking, "\n".join(_summary(blocking))


def test_the_check_fails_on_a_page_broken_on_purpose(context: Any) -> None:
    page = _open(context, BROKEN.as_uri())
    try:
        violations = _axe(page)
    finally:
        page.close()
    blocking = {v["id"] for v in violations if v["impact"] in BLOCKING}
    assert {"image-alt", "button-name", "label", "color-contrast", "html-has-lang"} <= blocking


def test_decision_flows_are_announced_with_their_title_and_description(context: Any, http_root: str) -> None:
    page = _open(context, http_root + PAGE_TYPES["decision boundaries"])
    try:
        found = page.evaluate(
            """() => [...document.querySelectorAll('.mermaid')].map(m => {
                 const svg = m.shadowRoot.querySelector('svg');
                 const ref = (attr) => (svg.getAttribute(attr) || '').split(' ').filter(Boolean)
                   .map(id => m.shadowRoot.getElementById(id)?.textContent || '').join(' ');
                 return {role: svg.getAttribute('role'), name: ref('aria-labelledby'),
                         description: ref('aria-describedby')};
               })"""
        )
    finally:
        page.close()
    portfolio = load_portfolio([EXAMPLES / "credit-decision-assistant.yml"], project_file=PROJECT_FILE)
    decisions = portfolio.specs[0].spec.decisions
    assert len(found) == len(decisions)
    for decision, flow in zip(decisions, found, strict=True):
        assert flow["name"] == f"Decision flow: {decision.title}"
        assert flow["description"].startswith(f"{decision.title}. Who decides:")
        assert "Fallback when the AI is unavailable:" in flow["description"]


def test_the_keyboard_alone_reaches_search_and_every_link(context: Any, http_root: str) -> None:
    for kind in ("workflow overview", "decision boundaries"):
        page = _open(context, http_root + PAGE_TYPES[kind])
        try:
            targets = page.evaluate(
                """() => {
                     const all = [...document.querySelectorAll('a[href], input, button, [tabindex]')];
                     all.forEach((el, i) => el.setAttribute('data-sg-focus', String(i)));
                     return all.filter(el => el.tabIndex >= 0 && !el.closest('[inert], [hidden]')
                                            && el.checkVisibility({visibilityProperty: true}))
                               .map(el => ({i: el.getAttribute('data-sg-focus'), tag: el.tagName,
                                            cls: el.className, href: el.getAttribute('href') || ''}));
                   }"""
            )
            wanted = {t["i"] for t in targets if t["tag"] == "A"}
            search = [t["i"] for t in targets if t["tag"] == "INPUT" and "md-search__input" in str(t["cls"])]
            assert wanted and search, kind
            reached: set[str] = set()
            for _ in range(len(targets) * 2 + 10):
                page.keyboard.press("Tab")
                focused = page.evaluate("() => document.activeElement?.getAttribute('data-sg-focus')")
                if focused is not None:
                    if focused in reached and reached >= wanted:
                        break
                    reached.add(focused)
            missed = [t for t in targets if t["i"] in wanted - reached]
            assert not missed, f"{kind}: links the Tab key never reaches: {missed[:5]}"
            assert search[0] in reached, f"{kind}: the Tab key never reaches search"
        finally:
            page.close()


def test_the_printable_page_prints_without_navigation_with_addresses(context: Any, http_root: str) -> None:
    page = _open(context, http_root + PAGE_TYPES["printable version"])
    try:
        page.emulate_media(media="print")
        state = page.evaluate(
            """() => ({
                 nav: [...document.querySelectorAll('.md-header, .md-sidebar, .md-footer, .md-tabs')]
                        .map(el => getComputedStyle(el).display),
                 breaks: [...document.querySelectorAll('.sg-print-break')]
                        .map(el => getComputedStyle(el).breakBefore),
                 after: (() => { const a = document.querySelector('.md-content a[href$=".html"]:not(.headerlink)');
                                 return [a.getAttribute('href'), getComputedStyle(a, '::after').content]; })(),
               })"""
        )
        assert state["nav"] and set(state["nav"]) == {"none"}
        assert len(state["breaks"]) == 6 and set(state["breaks"]) == {"page"}
        href, after = state["after"]
        assert after == f'" <{href}>"'
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF-")
    finally:
        page.close()
