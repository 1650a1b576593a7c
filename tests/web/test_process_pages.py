"""Admins see every version of a process, its diagram and XML, and what changed between two versions."""

from __future__ import annotations

from service.domain.actors import Actor
from service.operations.definitions import deploy_definition
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level
from tests.web.conftest import Auth


def test_versions_diagram_xml_and_change_summary(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    xml = remove_level(CHAIN.read_bytes(), "district", {"district_noi_vu_review": "province_ban_review",
                                                        "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    with factory() as session, session.begin():
        v2 = deploy_definition(session, Actor(None, "admin"), xml, comment="Bỏ cấp huyện").version.id
    auth.login("admin")
    page = client.get("/processes/").get_data(as_text=True)
    assert 'data-version="2"' in page and "Bỏ cấp huyện" in page and "đang dùng" in page
    assert '<a href="/instances/migrate">Chuyển hồ sơ đang chạy sang phiên bản khác</a>' in page  # not only the CLI
    assert client.get("/instances/migrate").status_code == 200
    shown = client.get(f"/processes/versions/{v2}?compare=1").get_data(as_text=True)
    diff = shown.split('data-testid="diff"')[1]
    assert "district_noi_vu_review" in diff.split("Thay đổi")[0] and "gw_ward_grant" in diff
    assert "Thẩm định hồ sơ (Phòng Nội vụ) (district_noi_vu_review)" in diff
    # In English the shipped chain's names are English, the ids as they are; nothing Vietnamese of the names left.
    english = client.get(f"/processes/versions/{v2}?compare=1&lang=en").get_data(as_text=True)
    english_diff = english.split('data-testid="diff"')[1].split("</div>")[0]
    assert "Appraise the dossier (Home Affairs Office) (district_noi_vu_review)" in english_diff
    assert "Thẩm định" not in english_diff
    client.get("/processes/?lang=vi")
    assert client.get(f"/processes/versions/{v2}.bpmn").data == xml
    assert client.get(f"/processes/versions/{v2}/diagram.json").get_json()["xml"].startswith("<?xml")
    auth.logout()
    auth.login("hn-hd-pl.chairman")
    assert client.get("/processes/").status_code == 403
