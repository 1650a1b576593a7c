"""The browser process editor over HTTP: saving validates first and deploys only valid BPMN, admins only."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from service.models import AuditEvent, ProcessVersion
from service.web.modeler_catalogue import MODELER_VI
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level
from tests.web.conftest import Auth


def _versions(app) -> list[tuple[int, bool, str | None]]:
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        rows = session.execute(select(ProcessVersion.version, ProcessVersion.is_active, ProcessVersion.comment)
                               .order_by(ProcessVersion.version)).all()  # fmt: skip
        return [tuple(r) for r in rows]


def _deploy_events(app) -> int:
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bpmn.deploy"))


def test_invalid_bpmn_is_refused_with_element_problems_and_nothing_deployed(app, client, auth: Auth):
    auth.login("admin")
    token = auth.token("/processes/")
    before, events = _versions(app), _deploy_events(app)
    # A condition typed with a misspelt decision variable: the lint names the flow.
    xml = CHAIN.read_text(encoding="utf-8").replace("ward_office_review_decision == 'approve'", "ward_ofice_decision == 'approve'")
    response = client.post("/processes/deploy", json={"xml": xml, "comment": "hỏng"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert problems and all({"element_id", "line", "message"} <= set(p) for p in problems)
    assert any(p["element_id"] and p["element_id"].startswith("flow_") and p["line"] for p in problems)
    assert _versions(app) == before and _deploy_events(app) == events
    broken = client.post("/processes/deploy", json={"xml": "<not-bpmn", "comment": ""}, headers={"X-CSRF-Token": token})
    assert broken.status_code == 422 and broken.get_json()["problems"][0]["message"]
    assert _versions(app) == before


def test_valid_bpmn_deploys_a_new_active_version_audited(app, client, auth: Auth):
    auth.login("admin")
    token = auth.token("/processes/")
    events = _deploy_events(app)
    xml = remove_level(CHAIN.read_bytes(), "district", {"district_noi_vu_review": "province_ban_review",
                                                        "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    response = client.post("/processes/deploy", data={"xml": xml.decode(), "comment": "Bỏ cấp huyện", "_csrf": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["ok"] and body["created"] and body["version"] == 2
    assert _versions(app)[-1] == (2, True, "Bỏ cấp huyện") and not _versions(app)[0][1]
    assert _deploy_events(app) == events + 1
    assert client.get(body["url"]).status_code == 200


def test_editor_pages_load_only_local_assets(app, client, auth: Auth):
    auth.login("admin")
    for url in ("/processes/versions/1/edit", "/processes/new"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'data-testid="modeler"' in html and "vendor/modeler/modeler.js" in html
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
        for asset in (s for s in sources if s.startswith("/static/")):
            with client.get(asset) as served:
                assert served.status_code == 200, asset
    edit = client.get("/processes/versions/1/edit").get_data(as_text=True)
    assert "district_noi_vu_review" in edit  # the version's XML is on the page for the modeler


def test_non_admins_cannot_edit_or_deploy(app, client, auth: Auth):
    auth.login("hn-hd-pl.chairman")
    token = auth.token()
    assert client.get("/processes/versions/1/edit").status_code == 403
    assert client.get("/processes/new").status_code == 403
    xml = CHAIN.read_text(encoding="utf-8").replace("Khen thưởng ở cấp này?", "Sửa trái phép")
    assert client.post("/processes/deploy", json={"xml": xml}, headers={"X-CSRF-Token": token}).status_code == 403
    assert [v for v, _, _ in _versions(app)] == [1]


def _embedded_catalogue(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="modeler-i18n">(.*?)</script>', html, re.S)
    assert found, "the editor page embeds no catalogue for the modeler"
    return json.loads(found.group(1))


def test_editor_page_embeds_the_modeler_catalogue_of_the_session_locale(app, client, auth: Auth):
    auth.login("admin")
    catalogue = _embedded_catalogue(client.get("/processes/new").get_data(as_text=True))
    assert catalogue == MODELER_VI
    assert catalogue["Create start event"] == "Tạo sự kiện bắt đầu" and catalogue["General"] == "Thông tin chung"
    # In English the modeler keeps bpmn-js's own labels: an empty catalogue, and it falls back to them.
    assert _embedded_catalogue(client.get("/processes/versions/1/edit?lang=en").get_data(as_text=True)) == {}
    assert _embedded_catalogue(client.get("/processes/new?lang=vi").get_data(as_text=True)) == MODELER_VI
