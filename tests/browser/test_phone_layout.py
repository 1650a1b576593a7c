"""The officials' pages on a phone (390×844): no page wider than the screen, the header's links (sign-out among
them) in a menu opened by touch or keyboard, readable and a finger's height, and a wide table scrolling inside
its own box with its last column whole. On a 1280 px screen the header stays one row, as it always was.

Screenshots of each page go to test-artifacts/phone-*.png. Runs on its own server: it moves two dossiers to the
ward council (a batch there, and a task page whose history holds a decision)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import serve
from .journeys import create_and_submit, decide, login

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]
GIAY_KHEN = "Giấy khen của Chủ tịch UBND phường Giếng Đáy"
DOSSIERS = [("qn-hl-gd-kp1.unit_clerk", "Đề nghị Giấy khen – tổ dân phố số 5", "Lê Thị Thu Hằng"),
            ("qn-hl-gd-kp2.unit_clerk", "Đề nghị Giấy khen – tổ hòa giải", "Phạm Văn Khải")]  # fmt: skip
COUNCIL = "qn-hl-gd.council_secretary"
SIGN_OUT = "header.top button[type=submit]"

# The element's colour and the first non-transparent background behind it, as rgb() strings.
COLOURS = """(el) => {
  let bg = 'rgba(0, 0, 0, 0)';
  for (let at = el; at && /rgba\\(.*, 0\\)$/.test(bg); at = at.parentElement) bg = getComputedStyle(at).backgroundColor;
  return { color: getComputedStyle(el).color, background: bg };
}"""
# The nearest box that scrolls the element sideways (itself or an ancestor), scrolled to its right end; then where
# the element and that box are, and whether the element's own text overflows it.
SCROLLED = """(el) => {
  let box = el;
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  box = box || document.scrollingElement;
  box.scrollLeft = box.scrollWidth;
  const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
  return { box: box.tagName, left: r.left, right: r.right, boxLeft: b.left, boxRight: b.right,
           clipped: el.scrollWidth > el.clientWidth + 1, text: el.innerText };
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("phone-server")) as base:
        yield base


@pytest.fixture(scope="module")
def pages(browser, server, tmp_path_factory) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The two dossiers, submitted and passed by the ward's Văn phòng, at the ward council; each page to check →
    (the official who opens it, its address)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server, locale="vi-VN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    folder = tmp_path_factory.mktemp("phone-files")
    try:
        ids = []
        for clerk, title, nominee in DOSSIERS:
            login(page, clerk)
            ids.append(create_and_submit(page, folder, title, nominee, GIAY_KHEN, DOCS))
        login(page, "qn-hl-gd.office_clerk")
        for dossier_id in ids:
            decide(page, dossier_id, "Đạt")
        login(page, COUNCIL)
        page.goto("/inbox/")
        row = page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{ids[0]}']"))
        task = row.locator("a", has_text=re.compile("Xử lý")).get_attribute("href")
        batch = page.locator("[data-testid=batches] a").first.get_attribute("href")
        campaign = page.locator("tr[data-task-id] td:nth-child(5)").first.inner_text().strip()
    finally:
        context.close()
    assert task and batch and campaign
    return {"inbox": (COUNCIL, "/inbox/"), "task": (COUNCIL, task), "dossier": (COUNCIL, f"/dossiers/{ids[0]}"),
            "batch": (COUNCIL, batch), "notifications": (COUNCIL, "/notifications/"),
            "campaign": (COUNCIL, f"/campaigns/{campaign}"), "audit": ("auditor", "/audit/"),
            "users": ("admin", "/admin/users")}  # fmt: skip


@pytest.fixture
def phone(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, base_url=server, locale="vi-VN", has_touch=True, is_mobile=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


def _open(page, who: str, address: str) -> None:  # type: ignore[no-untyped-def]
    login(page, who)
    response = page.goto(address)
    assert response is not None and response.status == 200, (address, response and response.status)
    page.wait_for_load_state("networkidle")


def _height(locator) -> float:  # type: ignore[no-untyped-def]
    box = locator.bounding_box()
    assert box is not None
    return float(box["height"])


@pytest.mark.parametrize("name", ["inbox", "task", "dossier", "batch", "notifications", "campaign", "audit", "users"])
def test_the_page_fits_a_phone_and_its_menu_reaches_sign_out(phone, pages, artifacts: Path, name: str):  # type: ignore[no-untyped-def]
    page = phone
    _open(page, *pages[name])
    page.screenshot(path=str(artifacts / f"phone-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _height(page.locator("header.top")) <= 64  # one compact bar, not a third of the screen

    # The header's links wait in the menu: a tap on its button shows them, readable on their panel, in the screen.
    sign_out = page.locator(SIGN_OUT)
    menu = page.locator("header.top details.menu > summary")
    expect(sign_out).to_be_hidden()
    expect(menu).to_be_visible()
    assert _height(menu) >= 40
    menu.tap()
    expect(sign_out).to_be_visible()
    expect(sign_out).to_be_in_viewport(ratio=1)
    colours = sign_out.evaluate(COLOURS)
    assert colours["color"] != colours["background"], colours
    assert colours["background"] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), colours  # on the red panel
    for item in page.locator("header.top .menu-items > a, header.top .menu-items > span:not(.spacer)").all():
        expect(item).to_be_in_viewport(ratio=1)
        assert _height(item) >= 40, item.inner_text()
        colours = item.evaluate(COLOURS)
        assert colours["color"] != colours["background"], (item.inner_text(), colours)
    assert _height(sign_out) >= 40
    page.screenshot(path=str(artifacts / f"phone-{name}-menu.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    menu.tap()
    expect(sign_out).to_be_hidden()

    # The page's buttons are a finger's height too.
    for button in page.locator("main button").all():
        if button.is_visible():
            assert _height(button) >= 40, button.inner_text()


@pytest.mark.parametrize("name", ["task", "dossier"])
def test_the_history_tables_last_column_is_whole_by_scrolling_its_box(phone, pages, name: str):  # type: ignore[no-untyped-def]
    page = phone
    _open(page, *pages[name])
    history = page.locator(".card", has=page.locator("h2", has_text="Lịch sử")).locator("table").first
    cells = history.locator("tbody > tr > td:last-child")
    assert cells.count() >= 2  # the submission and the office's decision
    for cell in cells.all():
        seen = cell.evaluate(SCROLLED)
        assert seen["text"].strip(), seen
        assert not seen["clipped"], seen
        assert seen["boxLeft"] - 1 <= seen["left"] and seen["right"] <= seen["boxRight"] + 1, seen
        assert 0 <= seen["left"] and seen["right"] <= PHONE["width"], seen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_menu_opens_from_the_keyboard_with_a_visible_focus(phone, pages, artifacts: Path):  # type: ignore[no-untyped-def]
    page = phone
    _open(page, *pages["inbox"])
    menu = page.locator("header.top details.menu > summary")
    expect(menu).to_have_accessible_name(re.compile("Trình đơn"))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site's name
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    assert menu.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("header.top details.menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    first = page.locator("header.top .menu-items > a").first
    expect(first).to_be_focused()
    assert first.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.screenshot(path=str(artifacts / "phone-menu-keyboard.png"))
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # closes it again
    expect(page.locator(SIGN_OUT)).to_be_hidden()
    page.goto("/inbox/?lang=en")  # and in English the button says so
    expect(menu).to_have_accessible_name(re.compile("^Menu$"))


def test_on_a_wide_screen_the_header_is_one_row_without_a_menu_button(browser, server, artifacts: Path):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server, locale="vi-VN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        login(page, "qn-hl-gd.office_clerk")
        page.goto("/inbox/")
        page.screenshot(path=str(artifacts / "wide-header.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 200})
        expect(page.locator("header.top details.menu > summary")).to_be_hidden()
        expect(page.locator(SIGN_OUT)).to_be_visible()
        items = page.locator("header.top a, header.top .menu-items > span, header.top button")
        boxes = [item.bounding_box() for item in items.all() if item.is_visible()]
        header = page.locator("header.top").bounding_box()
    finally:
        context.close()
    assert len(boxes) >= 8 and header is not None
    assert header["height"] < 50, header  # one row of text
    middles = [b["y"] + b["height"] / 2 for b in boxes if b]
    assert max(middles) - min(middles) < 4, middles  # every link on the same row
    assert all(b["height"] < 30 for b in boxes if b), boxes  # none wrapped onto two lines
