"""Org unit tree pages: the tree as of a date, create, rename (old name kept), move, merge and abolish with a preview."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.models import AuditEvent, OrgUnit, RoleAssignment
from tests.web.conftest import Auth


def _unit(app, code: str) -> OrgUnit:
    with app.extensions["thidua.session_factory"]() as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        session.expunge(unit)
        return unit


def test_admin_creates_renames_and_sees_names_as_of_a_date(app, client, auth: Auth):
    auth.login("admin")
    tree = client.get("/admin/units").get_data(as_text=True)
    assert 'data-unit="HN-HD-PL"' in tree and "Phường Phú Lãm" in tree
    assert "/admin/units" in client.get("/admin/users").get_data(as_text=True)  # linked from the users page
    token = auth.token("/admin/units")
    ward = _unit(app, "HN-HD-PL")
    made = client.post("/admin/units", data={"_csrf": token, "code": "HN-HD-PL-KP9", "name": "Tổ dân phố 9",
                                             "level": "unit", "parent_id": str(ward.id), "valid_from": "2020-01-01"})  # fmt: skip
    assert made.status_code == 302
    new_id = _unit(app, "HN-HD-PL-KP9").id
    renamed = client.post(f"/admin/units/{new_id}/rename",
                          data={"_csrf": token, "name": "Tổ dân phố Phú Lãm 9", "effective": "2025-07-01"})  # fmt: skip
    assert renamed.status_code == 302
    detail = client.get(f"/admin/units/{new_id}").get_data(as_text=True)
    assert "Tổ dân phố Phú Lãm 9" in detail and "Tổ dân phố 9 (01/01/2020 – 01/07/2025)" in detail
    before = client.get("/admin/units?on=2024-06-30").get_data(as_text=True)
    row = before.split('data-unit="HN-HD-PL-KP9"')[1].split("</tr>")[0]
    assert "Tổ dân phố 9" in row and "Tổ dân phố Phú Lãm 9" in row  # the name then, and what it is now
    assert 'data-unit="HN-HD-PL-KP9"' not in client.get("/admin/units?on=2019-12-31").get_data(as_text=True)
    # a bad date and a date before the unit existed are refused and change nothing
    assert client.post(f"/admin/units/{new_id}/rename", data={"_csrf": token, "name": "X", "effective": "hôm qua"}).status_code == 400
    assert client.post(f"/admin/units/{new_id}/rename", data={"_csrf": token, "name": "X", "effective": "2019-01-01"}).status_code == 400
    assert _unit(app, "HN-HD-PL-KP9").name == "Tổ dân phố Phú Lãm 9"
    # without the CSRF token nothing happens
    assert client.post(f"/admin/units/{new_id}/rename", data={"name": "X", "effective": "2026-01-01"}).status_code == 400


def test_merge_previews_then_applies(app, client, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    source, target = _unit(app, "HN-HD-PL-TC"), _unit(app, "HN-HD-PL-VH")
    form = {"_csrf": token, "target_id": str(target.id), "effective": "2025-07-01", "roles": "move"}
    preview = client.post(f"/admin/units/{source.id}/merge", data=form).get_data(as_text=True)
    with app.extensions["thidua.session_factory"]() as session:
        held = session.scalar(select(func.count()).select_from(RoleAssignment).where(RoleAssignment.org_unit_id == source.id))
    assert re.search(rf'data-n="assignments">{held}<', preview) and 'data-n="running">0<' in preview
    assert _unit(app, "HN-HD-PL-TC").valid_to is None  # a preview changes nothing
    done = client.post(f"/admin/units/{source.id}/merge", data={**form, "confirm": "1"})
    assert done.status_code == 302
    assert str(_unit(app, "HN-HD-PL-TC").valid_to) == "2025-07-01"
    with app.extensions["thidua.session_factory"]() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "org.merge")) == "org.merge"
    closed = client.get("/admin/units?on=2025-07-01").get_data(as_text=True)
    assert 'data-unit="HN-HD-PL-TC"' not in closed and "Bộ phận Tài chính - Kế toán" in closed.split('data-testid="closed-units"')[1]


def test_abolish_preview_lists_running_dossiers_and_refuses(app, client, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    form = {"_csrf": token, "level": "ward", "effective": "2025-07-01"}
    preview = client.post("/admin/levels/abolish", data=form).get_data(as_text=True)
    assert 'data-testid="running"' in preview and 'data-testid="confirm"' not in preview
    refused = client.post("/admin/levels/abolish", data={**form, "confirm": "1"})
    assert refused.status_code == 409
    assert _unit(app, "HN-HD-PL").valid_to is None
