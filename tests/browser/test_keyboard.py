"""Keyboard only (Tab, Shift+Tab, Enter, Space): a representative skips to the content, opens the
"add" form of a SWOT quadrant, adds an item and votes for it. Every stop of the focus is a visible
control, the focus never falls back to the page body, and after each htmx swap it stays in the
quadrant that changed (the new status line, then the same vote button). A vote is one htmx request
per key press: never a page reload, never a second request from a repeated or doubled press."""

import pytest

from agenda.models import SwotItem, SwotVote
from tests import factories
from tests.agenda.helpers import region_with_people
from tests.browser_support import axe, login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "", type: e.type || "",
    text: (e.innerText || e.value || "").trim().slice(0, 60),
    visible: r.width > 0 && r.height > 0 && style.visibility !== "hidden",
    quadrant: e.closest("[id^=quadrant-]") ? e.closest("[id^=quadrant-]").id : "",
    outline: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


@pytest.fixture
def region():
    return region_with_people(slug="zaporizka", iso="UA-23")


def focused(page) -> dict:
    info = page.evaluate(FOCUSED)
    assert info is not None, "the focus fell back to the page body"
    assert info["visible"], f"the focus is on an invisible element: {info}"
    return info


def focus_settled(page, element_id: str) -> None:
    """htmx moves the focus back after it settles the swap (a few ms after the new element appears):
    wait for that, up to the page's timeout, instead of reading the focus in between."""
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.id === id", arg=element_id, timeout=5_000
    )


def record_votes(page) -> list[dict]:
    """Every vote request the page sends: whether htmx sent it (else it is a native form post, i.e. a
    page reload) and the vote it asks for."""
    sent: list[dict] = []

    def on_request(request):
        if request.method == "POST" and request.url.endswith("/vote/"):
            fields = dict(pair.split("=", 1) for pair in (request.post_data or "").split("&") if "=" in pair)
            sent.append({"htmx": request.headers.get("hx-request") == "true", "vote": fields.get("vote")})

    page.on("request", on_request)
    return sent


def vote_shown(page, item, *, pressed: bool, count: int) -> None:
    """The board shows the vote (the swap is done), the focus is back on the same item's vote button
    and the count is right, on the page and in the database; the page was never reloaded."""
    button = f"vote-{item.pk}"
    page.locator(f"#{button}[aria-pressed={str(pressed).lower()}]").wait_for()
    focus_settled(page, button)
    assert focused(page)["id"] == button
    assert page.locator(f"#{button} .ca-vote-count").inner_text() == str(count)
    assert SwotVote.objects.filter(item=item).count() == count
    assert page.evaluate("window.__stayed === true"), "the vote reloaded the page instead of a swap"


def tab_until(page, predicate, *, limit=80, key="Tab") -> dict:
    """Press Tab until the focused element satisfies `predicate`; each stop must be visible."""
    for _ in range(limit):
        page.keyboard.press(key)
        info = focused(page)
        assert info["outline"], f"no visible focus indicator on {info}"
        if predicate(info):
            return info
    raise AssertionError(f"{limit} × {key} did not reach the element")


def test_swot_item_added_and_voted_by_keyboard(page_factory, region):
    page = page_factory()
    login(page, region["rep_x"].email)
    page.goto("/r/zaporizka/agenda/2021/swot/")
    assert axe(page) == []

    # The first Tab reaches the skip link; Enter moves the focus to the main content.
    page.keyboard.press("Tab")
    assert "skip-link" in page.evaluate("() => document.activeElement.className")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # Tab through the board to the "add" summary of the Strengths quadrant and open it with Enter.
    tab_until(page, lambda f: f["tag"] == "summary" and f["quadrant"] == "quadrant-S")
    page.keyboard.press("Enter")
    assert page.locator("#quadrant-S details.ca-swot-add").get_attribute("open") is not None

    # The next Tab stop is the text of the new item; type it, then Tab on to the "Add" button.
    info = tab_until(page, lambda f: f["name"] in ("text_uk", "text_en"), limit=3)
    assert info["quadrant"] == "quadrant-S"
    page.keyboard.type("Сильна інженерна школа університетів", delay=5)
    tab_until(page, lambda f: f["type"] == "submit" and f["quadrant"] == "quadrant-S", limit=20)
    page.evaluate("window.__stayed = true")
    page.keyboard.press("Enter")
    page.locator("#quadrant-S").get_by_text("Сильна інженерна школа університетів").wait_for()
    assert page.evaluate("window.__stayed === true"), "the quadrant was swapped, not the page reloaded"
    item = SwotItem.objects.get()

    # After the swap the focus stays in the quadrant (on its status line), not on the body.
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('#quadrant-S')", timeout=5_000
    )
    info = focused(page)
    assert info["quadrant"] == "quadrant-S", info

    # The item's vote button follows the status line: Tab to it and press Space; after the swap the
    # focus is on the same (new) button.
    info = tab_until(page, lambda f: f["id"] == f"vote-{item.pk}", limit=10)
    sent = record_votes(page)
    page.keyboard.press("Space")
    vote_shown(page, item, pressed=True, count=1)
    # Enter takes the vote back, gives it again and takes it back again, each time as soon as the new
    # button is shown — often before htmx has settled the swap, when the focus used to be lost.
    page.keyboard.press("Enter")
    vote_shown(page, item, pressed=False, count=0)
    page.keyboard.press("Enter")
    vote_shown(page, item, pressed=True, count=1)
    page.keyboard.press("Enter")
    vote_shown(page, item, pressed=False, count=0)
    assert sent == [{"htmx": True, "vote": v} for v in ("1", "0", "1", "0")]
    assert axe(page) == []
    shoot(page, "swot-keyboard-uk-desktop")


@pytest.fixture
def board(page_factory, region):
    """The SWOT board with one item, the focus on its vote button and the vote requests recorded."""
    item = factories.SwotItemFactory(agenda=region["agenda"], quadrant="S")
    page = page_factory()
    login(page, region["rep_x"].email)
    page.goto("/r/zaporizka/agenda/2021/swot/")
    page.evaluate("window.__stayed = true")
    page.focus(f"#vote-{item.pk}")
    return page, item, record_votes(page)


def test_enter_before_the_swap_settles_keeps_the_focus(board):
    """htmx settles a swap a moment after it (20 ms; longer on a busy machine); the new vote button
    works at once. Pressed in between, it used to post its form natively: a page reload, focus lost.
    The settle is stretched here so the second press lands in that moment every time."""
    page, item, sent = board
    page.evaluate("htmx.config.defaultSettleDelay = 3000")
    page.keyboard.press("Enter")
    page.locator(f"#vote-{item.pk}[aria-pressed=true]").wait_for()
    assert page.locator("#quadrant-S.htmx-settling").count() == 1, "the swap settled already"
    page.keyboard.press("Enter")
    vote_shown(page, item, pressed=False, count=0)
    assert sent == [{"htmx": True, "vote": "1"}, {"htmx": True, "vote": "0"}]


def test_double_or_held_enter_sends_one_vote(board):
    """A second Enter while the vote is on its way, or a held Enter that repeats (also on the new
    button after the swap), sends no second request that would take the vote back."""
    page, item, sent = board
    held = []
    page.route("**/vote/", lambda route: held.append(route))  # the vote waits here for the keys
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#quadrant-S form.htmx-request')")
    page.keyboard.press("Enter")
    page.keyboard.down("Enter")  # pressed again and held down
    for _ in range(500):  # until Playwright has handed the held request over
        if held:
            break
        page.wait_for_timeout(10)
    held[0].continue_()
    vote_shown(page, item, pressed=True, count=1)
    for _ in range(5):
        page.keyboard.down("Enter")  # the key repeats, now on the new button
    page.keyboard.up("Enter")
    assert page.locator("#quadrant-S form.htmx-request").count() == 0, "a repeated key sent a request"
    vote_shown(page, item, pressed=True, count=1)
    assert sent == [{"htmx": True, "vote": "1"}]
