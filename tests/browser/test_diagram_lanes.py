"""The process diagram's lanes read as role and level in the page's language, not as their codes
("chairman@province"), on the dossier page and on the task page; the BPMN served stays as deployed."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO, shot
from .journeys import login
from .test_diagram import PREPARING, element, open_diagram

pytestmark = pytest.mark.browser
SHIPPED = REPO / "bpmn" / "commendation_chain.bpmn"


def lane_text(page, lane_id: str) -> str:  # type: ignore[no-untyped-def]
    # bpmn-js breaks a long label into lines (one tspan each): the words without the spaces.
    return re.sub(r"\s", "", element(page, lane_id).locator(".djs-visual text").first.text_content() or "")


def words(text: str) -> str:
    return re.sub(r"\s", "", text)


def lines_per_lane(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """How many lines each lane's head is drawn in: the head is a 30 px strip, room for two."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        "[data-testid=diagram] .djs-element[data-element-id^='lane_']")].map((g) => [g.dataset.elementId,
        g.querySelectorAll('.djs-visual text tspan').length]))""")


def test_lanes_read_in_words_on_the_dossier_page_in_either_language(page, artifacts):
    login(page, "hn-hd-pl-tp.unit_clerk")
    open_diagram(page, f"/dossiers/{PREPARING}")
    assert page.evaluate("window.__diagramError") is None
    assert lane_text(page, "lane_chairman_province") == words("Chủ tịch UBND cấp tỉnh/thành phố")
    assert lane_text(page, "lane_office_clerk_ward") == words("Công chức Văn phòng cấp phường/xã")
    assert lane_text(page, "lane_unit_clerk_unit") == words("Cán bộ thi đua đơn vị")
    texts = page.locator("[data-testid=diagram] .djs-element[data-element-id^='lane_'] .djs-visual text").all_text_contents()
    assert len(texts) == 10 and not any("@" in t for t in texts)
    assert max(lines_per_lane(page).values()) <= 2  # each head fits its strip, in either language
    # The code stays at hand, as the lane's tooltip; the XML served is the deployed file, unchanged.
    assert element(page, "lane_chairman_province").get_attribute("data-lane-code") == "chairman@province"
    assert page.request.get(f"/dossiers/{PREPARING}/diagram.json").json()["xml"] == SHIPPED.read_text(encoding="utf-8")
    page.evaluate("() => { document.querySelector('[data-testid=diagram]').scrollLeft = 0; }")  # the lanes' heads
    shot(page, artifacts, "52-diagram-lanes-in-words")

    login(page, "auditor")  # another official reading in English
    open_diagram(page, f"/dossiers/{PREPARING}?lang=en")
    assert lane_text(page, "lane_chairman_province") == words("Chairman (province/city)")
    assert lane_text(page, "lane_noi_vu_district") == words("Home Affairs Office (district)")
    assert max(lines_per_lane(page).values()) <= 2
    page.evaluate("() => { document.querySelector('[data-testid=diagram]').scrollLeft = 0; }")
    shot(page, artifacts, "52-diagram-lanes-in-english")
    page.goto("/inbox/?lang=vi")  # leave the account in Vietnamese for the tests after this one


def test_lanes_read_in_words_on_the_task_page(page, artifacts):
    # Whoever of these has a task open (the browser tests share one demo database, and others move dossiers on).
    for username in ("hn-hd-pl.office_clerk", "hn-hd-pl-tp.unit_clerk", "hn-hd.noi_vu", "hn.ban_tdkt"):
        login(page, username)
        page.goto("/inbox/?lang=vi")
        rows = page.locator("tr[data-task-id]")
        if rows.count():
            break
    else:
        pytest.fail("no demo official has a task open")
    page.goto(f"/inbox/tasks/{rows.first.get_attribute('data-task-id')}")
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert lane_text(page, "lane_council_secretary_ward") == words("Thư ký HĐTĐKT cấp phường/xã")
    assert lane_text(page, "lane_ban_tdkt_province") == words("Ban TĐKT cấp tỉnh/thành phố")
    shot(page, artifacts, "53-task-diagram-lanes-in-words")


def test_lanes_read_in_words_on_the_admin_pages_of_an_instance_and_a_version(page, artifacts):
    login(page, "admin")
    page.goto("/instances/?lang=vi")
    instance = page.locator("a[href^='/instances/']").filter(has_text=re.compile(r"^\d+$")).first.get_attribute("href")
    for url in (instance, "/processes/versions/1"):
        open_diagram(page, url)
        assert lane_text(page, "lane_council_secretary_ward") == words("Thư ký HĐTĐKT cấp phường/xã")
        assert lane_text(page, "lane_chairman_district") == words("Chủ tịch UBND cấp quận/huyện")
    shot(page, artifacts, "54-version-diagram-lanes-in-words")
