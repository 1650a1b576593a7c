"""Issue #6 point 8: an admin removes the district level in the browser modeler and saves; a new dossier then
goes ward → province, while a dossier started before keeps the district steps to the end.

Runs on its own server (a new process version would change the path the other browser tests expect)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.web.modeler_catalogue import MODELER_VI

from .conftest import serve, shot
from .journeys import create_and_submit, decide_in_turn, login

pytestmark = pytest.mark.browser
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]
BANG_KHEN = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh Quảng Ninh"
WARD = [("qn-hl-gd.office_clerk", "Đạt"), ("qn-hl-gd.council_secretary", "Thông qua"), ("qn-hl-gd.chairman", "Đồng ý")]
DISTRICT = [("qn-hl.noi_vu", "Đạt"), ("qn-hl.council_secretary", "Thông qua"), ("qn-hl.chairman", "Đồng ý")]
PROVINCE = [("qn.ban_tdkt", "Đạt"), ("qn.council_secretary", "Thông qua"), ("qn.chairman", "Đồng ý")]

# Removes the district lanes and everything in them, then connects each flow that used to enter the district
# to the step it must now reach (keeping its name and condition). Returns the new flows.
REMOVE_DISTRICT = """(reroute) => {
  const modeler = window.thiduaModeler, registry = modeler.get("elementRegistry");
  const modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
  const lanes = registry.filter((e) => e.type === "bpmn:Lane" && (e.businessObject.name || "").endsWith("@district"));
  const inside = new Set(lanes.flatMap((l) => (l.businessObject.flowNodeRef || []).map((n) => n.id)));
  const entering = registry.filter((e) => e.type === "bpmn:SequenceFlow" && inside.has(e.target.id) && !inside.has(e.source.id))
    .map((f) => ({ source: f.source.id, target: f.target.id, name: f.businessObject.name,
                   condition: f.businessObject.conditionExpression && f.businessObject.conditionExpression.body,
                   wasDefault: f.source.businessObject.default === f.businessObject }));
  modeling.removeElements(registry.filter((e) => inside.has(e.id) && e.type !== "label"));
  for (const lane of lanes) modeling.removeShape(registry.get(lane.id));
  return entering.map((f) => {
    const flow = modeling.connect(registry.get(f.source), registry.get(reroute[f.target]));
    modeling.updateProperties(flow, { name: f.name,
      conditionExpression: f.condition ? moddle.create("bpmn:FormalExpression", { body: f.condition }) : undefined });
    return { id: flow.id, source: f.source, target: reroute[f.target], wasDefault: f.wasDefault };
  });
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with serve(tmp_path_factory.mktemp("modeler-server")) as base:
        yield base


def _inbox_has(page, dossier_id: int) -> bool:  # type: ignore[no-untyped-def]
    page.goto("/inbox/")
    return page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{dossier_id}']")).count() > 0


def test_saving_an_unchanged_diagram_makes_no_new_version(page):  # type: ignore[no-untyped-def]
    # First in this module: version 1 is still the one in use. The editor writes the diagram its own way (other
    # bytes than the file deployed); the same process is not a new version.
    login(page, "admin")
    page.goto("/processes/")
    versions = page.locator("tr[data-version]").count()
    page.goto("/processes/versions/1/edit")
    page.wait_for_selector("[data-testid=modeler][data-ready=true]")
    written = page.evaluate("async () => (await window.thiduaModeler.saveXML({ format: true })).xml")
    assert "bpmn-js" in written or written != (Path(__file__).parents[2] / "bpmn" / "commendation_chain.bpmn").read_text()
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=modeler][data-saved=unchanged]")
    assert page.inner_text("[data-testid=modeler-status]") == (
        "Quy trình không thay đổi so với phiên bản đang dùng (v1): không tạo phiên bản mới.")
    page.goto("/processes/")
    assert page.locator("tr[data-version]").count() == versions


def test_admin_removes_the_district_level_in_the_modeler(page, artifacts, tmp_path: Path):
    login(page, "qn-hl-gd-kp1.unit_clerk")
    old = create_and_submit(page, tmp_path, "Đề nghị Bằng khen – trước khi bỏ cấp huyện", "Lê Văn Tâm", BANG_KHEN, DOCS)
    decide_in_turn(page, old, WARD)
    login(page, "qn-hl.noi_vu")
    assert _inbox_has(page, old)  # the old dossier waits at the district

    login(page, "admin")
    page.goto("/processes/")
    page.locator("[data-testid=edit-version]").first.click()
    page.wait_for_selector("[data-testid=modeler][data-ready=true]")
    new_flows = page.evaluate(REMOVE_DISTRICT, {"district_noi_vu_review": "province_ban_review",
                                                "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    assert {(f["source"], f["target"]) for f in new_flows} >= {("gw_ward_grant", "province_ban_review")}
    assert page.evaluate("() => window.thiduaModeler.get('elementRegistry').get('district_noi_vu_review')") is None
    # The ward grant gateway's default flow is set through the properties panel ("Thi đua" group).
    default = next(f for f in new_flows if f["wasDefault"])
    page.evaluate("(id) => { const m = window.thiduaModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                  default["id"])  # fmt: skip
    checkbox = page.locator("#bio-properties-panel-thidua-flow-default")
    checkbox.check()
    assert page.evaluate("(id) => window.thiduaModeler.get('elementRegistry').get('gw_ward_grant').businessObject.default.id",
                         default["id"]) == default["id"]  # fmt: skip
    page.fill("[data-testid=deploy-comment]", "Bỏ cấp huyện")
    shot(page, artifacts, "60-modeler-district-removed")
    page.locator("[data-testid=deploy]").click()
    page.wait_for_url("**/processes/versions/*")
    page.goto("/processes/")
    assert "Bỏ cấp huyện" in page.locator("tr[data-version='2']").inner_text()
    assert "đang dùng" in page.locator("tr[data-version='2']").inner_text()

    login(page, "qn-hl-gd-kp2.unit_clerk")
    new = create_and_submit(page, tmp_path, "Đề nghị Bằng khen – sau khi bỏ cấp huyện", "Phạm Thị Lan", BANG_KHEN, DOCS)
    decide_in_turn(page, new, WARD)
    login(page, "qn-hl.noi_vu")
    assert not _inbox_has(page, new)  # skips the district
    decide_in_turn(page, new, PROVINCE)
    assert page.locator("[data-testid=dossier-status]").inner_text() == "Được khen thưởng"
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert page.locator(".djs-element[data-element-id=district_noi_vu_review]").count() == 0
    assert page.locator(".djs-element.path-done[data-element-id=province_chairman_decide]").count() == 1

    decide_in_turn(page, old, DISTRICT + PROVINCE)  # the old dossier keeps its version: district, then province
    assert page.locator("[data-testid=dossier-status]").inner_text() == "Được khen thưởng"
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert page.locator(".djs-element.path-done[data-element-id=district_chairman_decide]").count() == 1
    assert page.locator(".djs-element.path-done[data-element-id=province_chairman_decide]").count() == 1
    shot(page, artifacts, "61-old-dossier-kept-the-district")


def _select(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate("(id) => { const m = window.thiduaModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                  element_id)  # fmt: skip


def test_an_invalid_save_marks_the_element_and_deploys_nothing(page, artifacts):
    login(page, "admin")
    page.goto("/processes/")
    versions = page.locator("tr[data-version]").count()
    page.goto("/processes/versions/1/edit")
    page.wait_for_selector("[data-testid=modeler][data-ready=true]")
    # The standard panel edits the boundary timer's duration.
    _select(page, "ward_office_review_overdue")
    page.locator("[data-group-id=group-timer] .bio-properties-panel-group-header").click()
    page.fill("#bio-properties-panel-timerEventDefinitionValue", '"P7D"')
    page.keyboard.press("Tab")
    page.wait_for_function("""() => window.thiduaModeler.get('elementRegistry').get('ward_office_review_overdue')
        .businessObject.eventDefinitions[0].timeDuration.body === '"P7D"'""")
    # A misspelt decision variable typed into the Thi đua condition field.
    _select(page, "flow_gw_ward_office_review_to_ward_council_vote")
    page.fill("#bio-properties-panel-thidua-flow-condition", "ward_ofice_decision == 'approve'")
    page.keyboard.press("Tab")
    page.locator("[data-testid=deploy]").click()
    page.wait_for_selector("[data-testid=modeler][data-saved=invalid]")
    problems = page.locator("[data-testid=modeler-problems] li")
    assert problems.count() >= 1
    flagged = [problems.nth(i).get_attribute("data-element-id") for i in range(problems.count())]
    assert "flow_gw_ward_office_review_to_ward_council_vote" in flagged
    assert "ward_ofice_decision" in page.locator("[data-testid=modeler-problems]").inner_text()
    assert page.locator(".djs-element.bpmn-problem[data-element-id=flow_gw_ward_office_review_to_ward_council_vote]").count() == 1
    shot(page, artifacts, "62-modeler-invalid-save")
    page.goto("/processes/")
    assert page.locator("tr[data-version]").count() == versions


def _titles(page, selector: str, attribute: str = "title") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each entry's data-action → its title (the palette shows its entries' aria-label as their tooltip)."""
    return page.eval_on_selector_all(selector, "(all, attribute) => Object.fromEntries(all.map((e) => "
                                     "[e.dataset.action, e.getAttribute(attribute)]))", attribute)  # fmt: skip


def test_the_editor_speaks_vietnamese_and_still_edits_and_saves(page, artifacts):
    vietnamese = set(MODELER_VI.values())
    login(page, "admin")
    page.goto("/processes/")
    versions = page.locator("tr[data-version]").count()
    page.goto("/processes/versions/1/edit")
    page.wait_for_selector("[data-testid=modeler][data-ready=true]")

    palette = _titles(page, ".djs-palette .entry[data-action]", "aria-label")
    assert palette["create.start-event"] == "Tạo sự kiện bắt đầu"
    assert palette["create.end-event"] == "Tạo sự kiện kết thúc"
    assert palette["hand-tool"] == "Công cụ bàn tay (kéo sơ đồ)"
    assert len(palette) >= 12 and set(palette.values()) <= vietnamese, palette

    _select(page, "ward_office_review")
    page.wait_for_selector(".djs-context-pad .entry[data-action='append.append-task']")
    pad = _titles(page, ".djs-context-pad .entry[data-action]")
    assert pad["append.append-task"] == "Thêm nhiệm vụ kế tiếp" and pad["delete"] == "Xóa"
    assert pad["replace"] == "Đổi loại phần tử" and set(pad.values()) <= vietnamese, pad
    page.locator(".djs-context-pad .entry[data-action=replace]").click()
    menu = page.locator(".djs-popup")
    menu.wait_for()
    assert menu.locator(".djs-popup-title").inner_text() == "Đổi loại phần tử"
    labels = menu.locator(".djs-popup-label").all_inner_texts()
    assert "Nhiệm vụ dịch vụ" in labels and "Quy trình con (thu gọn)" in labels
    assert set(labels) <= vietnamese, labels
    shot(page, artifacts, "63-modeler-replace-menu-in-vietnamese")
    page.keyboard.press("Escape")
    menu.wait_for(state="detached")

    panel = page.locator("[data-testid=properties-panel]")
    header_type = panel.locator(".bio-properties-panel-header-type").text_content()  # shown upper-cased by CSS
    assert header_type == "Nhiệm vụ người dùng"
    groups = panel.locator(".bio-properties-panel-group-header-title").all_inner_texts()
    assert groups[0] == "Thi đua" and {"Thông tin chung", "Mô tả"} <= set(groups), groups
    assert set(groups[1:]) <= vietnamese, groups
    assert set(panel.locator(".bio-properties-panel-arrow").evaluate_all("(all) => all.map((b) => b.title)")) == {
        "Mở/đóng nhóm"}
    assert "nhóm Thông tin chung" in panel.locator("[data-entry-id=thidua-task-decision]").inner_text()
    panel.locator("[data-group-id=group-general] .bio-properties-panel-group-header").click()
    general = panel.locator("[data-group-id=group-general]")
    assert {"Tên", "Mã (ID)"} <= set(general.locator(".bio-properties-panel-label").all_inner_texts())

    # A bad id is refused with a Vietnamese message and changes nothing; a new name is taken and deployed.
    page.fill("#bio-properties-panel-id", "ward office review")
    assert general.locator(".bio-properties-panel-error").inner_text() == "Mã không được chứa dấu cách."
    assert page.evaluate("() => window.thiduaModeler.get('elementRegistry').get('ward_office_review').id") \
        == "ward_office_review"
    renamed = "Thẩm định hồ sơ (Văn phòng UBND phường/xã, bản sửa)"
    page.fill("#bio-properties-panel-name", renamed)
    page.keyboard.press("Tab")
    page.wait_for_function("(name) => window.thiduaModeler.get('elementRegistry').get('ward_office_review')"
                           ".businessObject.name === name", arg=renamed)  # fmt: skip
    shot(page, artifacts, "64-modeler-properties-in-vietnamese")
    page.fill("[data-testid=deploy-comment]", "Đổi tên bước thẩm định ở phường")
    page.locator("[data-testid=deploy]").click()
    page.wait_for_url("**/processes/versions/*")
    deployed = page.request.get(page.url.split("?")[0] + ".bpmn")
    assert deployed.ok and f'name="{renamed}"' in deployed.text()
    page.goto("/processes/")
    assert page.locator("tr[data-version]").count() == versions + 1
    assert "Đổi tên bước thẩm định ở phường" in page.locator(f"tr[data-version='{versions + 1}']").inner_text()

    # In English the editor keeps bpmn-js's own labels.
    page.goto("/processes/versions/1/edit?lang=en")
    page.wait_for_selector("[data-testid=modeler][data-ready=true]")
    assert _titles(page, ".djs-palette .entry[data-action]", "aria-label")["create.start-event"] == "Create start event"
    page.goto("/processes/?lang=vi")
