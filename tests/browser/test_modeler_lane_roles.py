"""The process editor from the admins' walk: a lane's role@level is chosen from a list in words (not typed), the
"Thi đua" group reads in the page's language, and the editor takes the page's width with the diagram opening
clear of the palette (1024×768 and 1600×900). No test here deploys: the shared server's version 1 is edited."""

from __future__ import annotations

import pytest

from .conftest import shot
from .journeys import login

pytestmark = pytest.mark.browser
ROLE = "#bio-properties-panel-thidua-lane-role"
GROUP = "[data-group-id=group-thidua]"
SELECT = "(id) => { const m = window.thiduaModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }"
XML = "async () => (await window.thiduaModeler.saveXML({ format: true })).xml"
RENAME = """([id, name]) => {
  const m = window.thiduaModeler;
  m.get('modeling').updateProperties(m.get('elementRegistry').get(id), { name });
}"""


def _open_editor(page, query: str = "") -> None:  # type: ignore[no-untyped-def]
    login(page, "admin")
    page.goto(f"/processes/versions/1/edit{query}")
    page.wait_for_selector("[data-testid=modeler][data-ready=true]")


def _select(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(SELECT, element_id)
    page.wait_for_selector(f"{GROUP} .bio-properties-panel-entry")


def _options(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector(ROLE, "(s) => Object.fromEntries([...s.options].map((o) => [o.value, o.text]))")


def test_a_lane_takes_its_role_and_level_from_a_list_in_words(page, artifacts):  # type: ignore[no-untyped-def]
    _open_editor(page)
    _select(page, "lane_chairman_district")
    assert page.eval_on_selector(ROLE, "(e) => e.tagName") == "SELECT"  # no free text to mistype
    options = _options(page)
    assert options["office_clerk@ward"] == "Công chức Văn phòng — cấp phường/xã (office_clerk@ward)"
    assert "chairman@province" in options and "chu_tich@xa" not in options
    assert page.input_value(ROLE) == "chairman@district"
    shot(page, artifacts, "70-modeler-lane-role-list")

    page.select_option(ROLE, "chairman@province")
    assert 'id="lane_chairman_district" name="chairman@province"' in page.evaluate(XML)
    page.select_option(ROLE, "chairman@district")  # restored
    assert 'id="lane_chairman_district" name="chairman@district"' in page.evaluate(XML)


def test_a_lane_named_outside_the_list_keeps_its_name_until_another_is_chosen(page):  # type: ignore[no-untyped-def]
    _open_editor(page)
    page.evaluate(RENAME, ["lane_chairman_ward", "chu_tich@xa"])  # as a diagram opened from a file may name it
    _select(page, "lane_chairman_ward")
    assert page.input_value(ROLE) == "chu_tich@xa"
    assert _options(page)["chu_tich@xa"] == "chu_tich@xa (không có trong danh sách)"
    assert 'id="lane_chairman_ward" name="chu_tich@xa"' in page.evaluate(XML)  # shown, not changed
    page.select_option(ROLE, "chairman@ward")
    assert 'id="lane_chairman_ward" name="chairman@ward"' in page.evaluate(XML)
    assert "chu_tich@xa" not in _options(page)
    page.evaluate(RENAME, ["lane_chairman_ward", ""])  # a lane with no name yet (as a new one drawn) asks for one
    page.wait_for_function("(s) => document.querySelector(s).value === ''", arg=ROLE)
    assert _options(page)[""] == "— chọn vai trò và cấp —"


def test_the_thidua_group_reads_in_the_pages_language(page):  # type: ignore[no-untyped-def]
    _open_editor(page, "?lang=en")
    _select(page, "lane_office_clerk_ward")
    lane = page.inner_text(GROUP)
    assert "Commendation" in lane and "Role@level" in lane and "Who does this lane's steps" in lane
    assert _options(page)["office_clerk@ward"] == "Office clerk — ward/commune (office_clerk@ward)"
    _select(page, "ward_office_review")
    task = page.inner_text(GROUP)
    assert "Step name" in task and "Decision variable" in task
    assert "= step ID + _decision; change the ID in the General group" in task
    _select(page, "flow_gw_ward_office_review_to_ward_council_vote")
    flow = page.inner_text(GROUP)
    assert "Condition" in flow and "Default flow" in flow
    for vietnamese in ("Thi đua", "Vai trò", "Tên công việc", "Biến quyết định", "mã công việc", "Điều kiện",
                       "Luồng mặc định", "cấp phường"):  # fmt: skip
        assert vietnamese not in lane + task + flow, vietnamese

    _open_editor(page, "?lang=vi")  # and the Vietnamese page in Vietnamese (the admin's stored choice goes back to it)
    _select(page, "ward_office_review")
    task = page.inner_text(GROUP)
    assert "Thi đua" in task and "Tên công việc" in task and "Biến quyết định" in task
    assert "= mã công việc + _decision; đổi mã ở nhóm Thông tin chung" in task
    _select(page, "lane_office_clerk_ward")
    assert "Vai trò@cấp" in page.inner_text(GROUP)


def _box(page, selector: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    box = page.locator(selector).first.bounding_box()
    assert box, selector
    return box


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1600, 900)])
def test_the_diagram_opens_clear_of_the_palette_on_the_pages_width(  # type: ignore[no-untyped-def]
        browser, server, artifacts, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server, locale="vi-VN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        _open_editor(page)
        page.locator("#modeler-canvas").scroll_into_view_if_needed()
        shot(page, artifacts, f"71-modeler-{width}x{height}")
        canvas, palette, panel = _box(page, "#modeler-canvas"), _box(page, ".djs-palette"), _box(page, "#modeler-panel")
        # The topmost lane's label and the pool's: right of the palette, inside the canvas.
        first_lane = page.evaluate("""() => window.thiduaModeler.get('elementRegistry')
            .filter((e) => e.type === 'bpmn:Lane').sort((a, b) => a.y - b.y)[0].id""")
        for element_id in (first_lane, "participant_chain"):
            label = _box(page, f".djs-element[data-element-id={element_id}] > .djs-visual > text")
            assert label["x"] > palette["x"] + palette["width"], element_id
            assert label["x"] + label["width"] < canvas["x"] + canvas["width"], element_id
        # The whole diagram is in view, right of the palette.
        drawn = page.evaluate("""() => { const box = document.querySelector('#modeler-canvas .viewport')
            .getBoundingClientRect(); return { x: box.x, y: box.y, right: box.right, bottom: box.bottom }; }""")
        assert drawn["x"] > palette["x"] + palette["width"]
        assert drawn["right"] <= canvas["x"] + canvas["width"] and drawn["y"] >= canvas["y"]
        assert drawn["bottom"] <= canvas["y"] + canvas["height"]
        # The editor spans the page (other pages keep their 1280-px column).
        assert panel["x"] + panel["width"] > width - 40 and canvas["x"] < 40
        if width > 1300:
            page.goto("/processes/")
            assert _box(page, "main")["width"] <= 1280
    finally:
        context.close()
