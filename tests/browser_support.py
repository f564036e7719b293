"""Browser test support: Playwright for Python driving Debian's Chromium against Django's live server.

The fixtures `browser` and `page_factory` are registered once, in tests/conftest.py, so that every test
module shares one Playwright instance per worker process (a second sync instance in the same thread
fails).

Each test gets a fresh browser context; any JavaScript error, console error or failed request to our
own server fails the test. `shoot(page, name)` writes a screenshot to $SCREENSHOT_DIR (default
tests/artifacts/). `axe(page)` runs axe-core (vendored) and returns serious/critical violations.
"""

import base64
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent / "artifacts"))
AXE = (Path(__file__).parent / "browser" / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def browser():
    from tests.conftest import require_service

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        require_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


class PageProblems(list):
    pass


@pytest.fixture
def page_factory(browser, live_server):
    """Make pages (desktop or phone, uk or en) that record problems; fail the test if any occurred."""
    contexts = []
    problems = PageProblems()

    def make(viewport=DESKTOP, locale="uk-UA"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
        page.on(
            "console",
            lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
        )

        def on_response(response):
            if response.url.startswith(live_server.url) and response.status >= 500:
                problems.append(f"{response.status} {response.url}")

        def on_failed(request):
            # A navigation cancels what the previous page was still loading: not a failure.
            if request.url.startswith(live_server.url) and "ERR_ABORTED" not in (request.failure or ""):
                problems.append(f"failed request {request.url}: {request.failure}")

        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        return page

    allowed: list[str] = []
    make.allow = allowed.append  # e.g. make.allow("404") before visiting a page that must be a 404

    yield make
    for context in contexts:
        context.close()
    real = [p for p in problems if not any(a in p for a in allowed)]
    assert not real, "\n".join(real)


def login(page, email, password="pass-12345"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form[action='/accounts/login/'] button[type=submit]")


# Before a screenshot: wait for the fonts, hide the (blinking) text caret of a focused field as
# page.screenshot() does — with a constructed style sheet, since the page's CSP refuses a <style> —
# and measure the whole page.
_BEFORE_SHOT = """async () => {
  await document.fonts.ready;
  const active = document.activeElement;
  if (active && (active.matches("input, textarea") || active.isContentEditable)) {
    window.__caCaret = new CSSStyleSheet();
    window.__caCaret.replaceSync("* { caret-color: transparent !important; }");
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, window.__caCaret];
  }
  const d = document.documentElement, b = document.body;
  const width = Math.max(d.scrollWidth, d.clientWidth, b ? b.scrollWidth : 0);
  const height = Math.max(d.scrollHeight, d.clientHeight, b ? b.scrollHeight : 0);
  return {clip: {x: 0, y: 0, width, height, scale: 1}, caret: Boolean(window.__caCaret)};
}"""
_AFTER_SHOT = """() => {
  if (window.__caCaret) {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== window.__caCaret);
    delete window.__caCaret;
  }
}"""


def _cdp(page):
    """The page's DevTools protocol session (Chromium), opened once; None elsewhere."""
    if not hasattr(page, "_ca_cdp"):
        try:
            page._ca_cdp = page.context.new_cdp_session(page)
        except Exception:
            page._ca_cdp = None
    return page._ca_cdp


def shoot(page, name: str) -> Path:
    """A full-page PNG. Chromium is asked directly to encode it for speed (`optimizeForSpeed`): the same
    pixels as page.screenshot(full_page=True), in about two thirds of the time."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    cdp = _cdp(page)
    if cdp is None:
        page.screenshot(path=str(path), full_page=True)
        return path
    prepared = page.evaluate(_BEFORE_SHOT)
    try:
        shot = cdp.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": prepared["clip"],
                "captureBeyondViewport": True,
                "optimizeForSpeed": True,
            },
        )
    finally:
        if prepared["caret"]:
            page.evaluate(_AFTER_SHOT)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# Only serious and critical violations count. Rules whose checks can only fail as "minor" or "moderate"
# (landmarks, heading order, region…) are switched off: the same violations come back, a quarter faster.
_AXE_RUN = """async () => {
  if (typeof window.axe === "undefined") {
    return null;
  }
  if (!window.__caAxeOptions) {
    const rules = {};
    try {
      const high = new Set(["serious", "critical"]);
      const checks = axe._audit.data.checks;
      for (const rule of axe._audit.rules) {
        const impacts = [...rule.any, ...rule.all, ...rule.none].map((c) => (checks[c.id || c] || {}).impact);
        if (!high.has(rule.impact) && impacts.length && impacts.every((i) => i && !high.has(i))) {
          rules[rule.id] = {enabled: false};
        }
      }
    } catch (e) {
      // axe's rule metadata has moved: run every rule.
    }
    window.__caAxeOptions = {resultTypes: ["violations"], rules};
  }
  return await axe.run(document, window.__caAxeOptions);
}"""


def axe(page) -> list[dict]:
    """Serious and critical axe-core violations of the current page."""
    result = page.evaluate(_AXE_RUN)
    if result is None:
        # Not on this page yet. evaluate() runs outside the page's CSP (which forbids inline script, rightly).
        page.evaluate(AXE + "\n;undefined")
        result = page.evaluate(_AXE_RUN)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            # Why the first node fails (e.g. the colours and the contrast ratio), to fix it without a rerun.
            "why": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# Elements reaching past the right edge that are not inside a scrolling or clipping box. An absolutely
# positioned element escapes an `overflow: auto` ancestor that is not positioned, so it counts too.
_WIDE = """(width) => {
  const clipped = (e) => {
    const absolute = getComputedStyle(e).position === "absolute";
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) {
        if (!absolute || style.position !== "static") return true;
      }
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 2 && !clipped(e))
    .slice(0, 6)
    .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} → ${Math.round(e.getBoundingClientRect().right)}px`);
}"""


def assert_fits(page, width: int = PHONE["width"], tolerance: int = 2) -> None:
    """No horizontal scrolling of the whole page at this width (tables may scroll inside their box)."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll > width + tolerance:
        culprits = page.evaluate(_WIDE, width)
        raise AssertionError(
            f"{page.url} is {scroll}px wide at {width}px; reaching past the edge: {culprits}"
        )


_UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((e) => !["hidden", "submit", "button", "reset", "image"].includes(e.type))
  .filter((e) => e.offsetParent !== null || e.getClientRects().length > 0)
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")
    && !e.getAttribute("aria-labelledby") && !e.getAttribute("title"))
  .map((e) => `${e.tagName.toLowerCase()}[name=${e.name || "?"}]#${e.id}`)"""


def unlabelled(page) -> list[str]:
    """Visible form fields with no label (a <label>, aria-label, aria-labelledby or title)."""
    return page.evaluate(_UNLABELLED)
