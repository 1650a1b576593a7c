"""The process pages around a deploy: editing an older version says so, a new version needs a note and is confirmed,
a refusal is summed up above its list with each element named, the versions show the path read from their lanes,
and a comparison says what changed in words (not the engine's attributes, not a boundary event's lane)."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import select, update

from service.domain.actors import Actor
from service.models import OrgUnit, ProcessVersion
from service.operations.definitions import deploy_definition
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import NS, remove_level
from tests.web.conftest import Auth

REROUTE = {"district_noi_vu_review": "province_ban_review", "district_chairman_decide": "ward_chairman_decide"}
NO_DISTRICT = remove_level(CHAIN.read_bytes(), "district", REROUTE)


def _deploy_v2(app, xml: bytes = NO_DISTRICT) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        return deploy_definition(session, Actor(None, "admin"), xml, comment="Bỏ cấp huyện").version.id


def _versions(app) -> list[tuple[int, bool]]:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        rows = session.execute(select(ProcessVersion.version, ProcessVersion.is_active)
                               .order_by(ProcessVersion.version)).all()  # fmt: skip
        return [tuple(r) for r in rows]


def _post(client, auth: Auth, xml: str, comment: str, lang: str = "vi"):  # type: ignore[no-untyped-def]
    token = auth.token(f"/processes/?lang={lang}")
    return client.post("/processes/deploy", json={"xml": xml, "comment": comment}, headers={"X-CSRF-Token": token})


def test_editing_an_older_version_says_which_one_new_dossiers_use(app, client, auth: Auth):
    v2 = _deploy_v2(app)
    auth.login("admin")
    older = client.get("/processes/versions/1/edit").get_data(as_text=True)
    assert 'data-testid="editing-older-version"' in older
    assert "Bạn đang sửa phiên bản 1; quy trình đang dùng phiên bản 2." in older
    newest = client.get(f"/processes/versions/{v2}/edit").get_data(as_text=True)
    assert 'data-testid="editing-older-version"' not in newest
    english = client.get("/processes/versions/1/edit?lang=en").get_data(as_text=True)
    assert "You are editing version 1; the process in use is version 2." in english


def test_a_new_version_needs_a_note_then_its_page_confirms_it(app, client, auth: Auth):
    auth.login("admin")
    before = _versions(app)
    refused = _post(client, auth, NO_DISTRICT.decode(), "  ")
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["ok"] is False and body["field"] == "comment"
    assert body["message"].startswith("Hãy ghi chú ngắn phiên bản mới thay đổi gì")
    assert _versions(app) == before
    english = _post(client, auth, NO_DISTRICT.decode(), "", "en").get_json()
    assert english["message"].startswith("Write a short note on what the new version changes")
    client.get("/processes/?lang=vi")
    made = _post(client, auth, NO_DISTRICT.decode(), "Bỏ cấp huyện").get_json()
    assert made["ok"] and made["created"] and made["version"] == 2
    page = client.get(made["url"]).get_data(as_text=True)
    assert "Đã triển khai phiên bản 2." in page
    assert "Đã triển khai phiên bản 2." not in client.get(made["url"]).get_data(as_text=True)  # said once


def test_a_refusal_is_summed_up_and_each_problem_names_its_element(app, client, auth: Auth):
    auth.login("admin")
    xml = CHAIN.read_text(encoding="utf-8").replace("ward_office_review_decision == 'approve'",
                                                    "ward_ofice_decision == 'approve'")  # fmt: skip
    response = _post(client, auth, xml, "thử")
    assert response.status_code == 422
    body = response.get_json()
    (problem,) = body["problems"]
    assert body["message"] == "Quy trình chưa hợp lệ: 1 lỗi."
    assert "editor.bpmn" not in response.get_data(as_text=True)
    flow = problem["element_id"]
    assert flow.startswith("flow_") and problem["element_name"] == "Đạt" and problem["where"] == f"Đạt ({flow})"
    said = "điều kiện dùng biến không xác định: ward_ofice_decision"
    assert problem["label"] == f"Đạt ({flow}), dòng {problem['line']}: {said}"
    english = _post(client, auth, xml, "try", "en").get_json()
    assert english["message"] == "The process is not valid yet: 1 problem(s) to fix."
    assert english["problems"][0]["label"] == (f"Đạt ({flow}), line {problem['line']}: the condition uses unknown "
                                               "variables: ward_ofice_decision")  # fmt: skip


def test_deploying_lanes_of_an_abolished_level_is_refused_and_outlines_the_lanes(app, client, auth: Auth):
    _deploy_v2(app)
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        session.execute(update(OrgUnit).where(OrgUnit.level == "district").values(valid_to=datetime.now(UTC).date()))
    auth.login("admin")
    before = _versions(app)
    response = _post(client, auth, CHAIN.read_text(encoding="utf-8"), "Khôi phục phiên bản 1")
    assert response.status_code == 422
    body = response.get_json()
    assert "không còn đơn vị cấp quận/huyện nào đang hoạt động" in body["message"]
    assert {p["element_id"] for p in body["problems"]} == {"lane_noi_vu_district", "lane_council_secretary_district",
                                                           "lane_chairman_district"}  # fmt: skip
    assert _versions(app) == before == [(1, False), (2, True)]


def _timer_in_lane_below(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS):
        if ref.text.strip() == "ward_office_review_overdue":
            ref.getparent().remove(ref)
    lane = root.find(".//bpmn:lane[@id='lane_council_secretary_ward']", NS)
    ref = etree.SubElement(lane, f"{{{NS['bpmn']}}}flowNodeRef")
    ref.text = "ward_office_review_overdue"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_versions_show_their_path_and_a_comparison_says_changes_in_words(app, client, auth: Auth):
    v2 = _deploy_v2(app, _timer_in_lane_below(NO_DISTRICT))
    auth.login("admin")
    index = client.get("/processes/").get_data(as_text=True)
    assert "đơn vị → phường/xã → tỉnh/thành phố" in index.split('data-version="2"')[1].split("</tr>")[0]
    assert "đơn vị → phường/xã → quận/huyện → tỉnh/thành phố" in index.split('data-version="1"')[1].split("</tr>")[0]
    assert "Xét khen thưởng <span" in index and "→ huyện" not in index
    diff = client.get(f"/processes/versions/{v2}?compare=1").get_data(as_text=True).split('data-testid="diff"')[1]
    changed = diff.split("</ul>")[0].split("Thay đổi")[1]
    assert "ward_office_review_overdue" not in changed
    assert "(gw_ward_grant): đường đi ra, điều kiện rẽ nhánh, nhánh mặc định" in changed
    assert "cond_task_specs" not in diff and "default_task_spec" not in diff and "outputs" not in diff
    assert "(district_noi_vu_review)" in diff.split("Thay đổi")[0]  # removed steps by name, with their id
    english = client.get(f"/processes/versions/{v2}?compare=1&lang=en").get_data(as_text=True)
    assert "outgoing flows, branch conditions, default branch" in english
    assert "units → ward/commune → province/city" in english
