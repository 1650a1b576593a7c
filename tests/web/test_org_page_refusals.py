"""A refused action on the org unit pages (create, abolish a level; rename, move, merge a unit) shows its page again
with the refusal at the top and the form the admin used filled as typed, keeps the refusal's status (400, or 409
for a conflict), and writes nothing. Levels read in words there, not as codes."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, OrgUnit, OrgUnitName, RoleAssignment
from tests.web.conftest import Auth, csrf_from


def _alert(page: str, before: str) -> str:
    found = re.findall(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert len(found) == 1, "no refusal (or more than one) at the top of the page"
    assert page.index("</h1>") < page.index('role="alert"') < page.index(before)
    return html.unescape(found[0]).strip()


def _form(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</form>")[0]


def _input(form: str, name: str) -> str:
    tag = re.search(rf'<input type="\w+" name="{name}"[^>]*>', form).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return html.unescape(value.group(1)) if value else ""


def _selected(form: str, name: str) -> list[str]:
    select_ = re.search(rf'<select name="{name}">(.*?)</select>', form, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected>', select_)


def _state(app: Flask) -> tuple:
    with app.extensions["thidua.session_factory"]() as session:
        units = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.parent_id, OrgUnit.valid_to)
                                .order_by(OrgUnit.id)).all()  # fmt: skip
        return (tuple(units), session.scalar(select(func.count()).select_from(OrgUnitName)),
                session.scalar(select(func.count()).select_from(RoleAssignment)),
                session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


def _id(app: Flask, code: str) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def _create(client: FlaskClient, token: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post("/admin/units", data={"_csrf": token, **fields})


def test_a_unit_under_a_khu_pho_comes_back_on_the_units_page_with_the_form_filled(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    khu_pho = str(_id(app, "QN-HL-GD-KP1"))
    before = _state(app)
    response = _create(client, token, code="QN-HL-GD-KP1-T1", name="Tổ 1 khu phố 1", level="unit", parent_id=khu_pho,
                       valid_from="2024-01-01")  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    message = _alert(shown, 'data-testid="unit-tree"')
    assert "cấp cao hơn" in message and "Khu phố 1" in message
    assert "'unit'" not in message and "cơ sở" in message  # the level in words
    form = _form(shown, "new-unit")
    assert _input(form, "code") == "QN-HL-GD-KP1-T1"
    assert _input(form, "name") == "Tổ 1 khu phố 1"
    assert _input(form, "valid_from") == "2024-01-01"
    assert _selected(form, "level") == ["unit"] and _selected(form, "parent_id") == [khu_pho]
    assert _selected(_form(shown, "abolish-level"), "level") == []  # only the form the admin used
    assert _state(app) == before


def test_a_duplicate_code_is_a_conflict_shown_on_the_units_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    ward = str(_id(app, "QN-HL-GD"))
    made = _create(client, token, code="QN-HL-GD-KP3", name="Khu phố 3", level="unit", parent_id=ward,
                   valid_from="2024-01-01")  # fmt: skip
    assert made.status_code == 302
    before = _state(app)
    response = _create(client, token, code="QN-HL-GD-KP3", name="Khu phố 3 mới", level="unit", parent_id=ward,
                       valid_from="2025-01-01")  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 409
    assert _alert(shown, 'data-testid="unit-tree"') == "Mã đơn vị 'QN-HL-GD-KP3' đã có."
    assert _input(_form(shown, "new-unit"), "name") == "Khu phố 3 mới"
    assert _state(app) == before


def test_a_code_with_lower_case_and_a_space_is_refused_on_the_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    before = _state(app)
    response = _create(client, token, code="qn hl", name="Đơn vị thử", level="unit", parent_id=str(_id(app, "QN-HL-GD")),
                       valid_from="2024-01-01")  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    message = _alert(shown, 'data-testid="unit-tree"')
    assert "qn hl" in message and "QN-HL" in message
    assert _input(_form(shown, "new-unit"), "code") == "qn hl"
    assert _state(app) == before


def test_a_bad_date_on_the_units_page_keeps_the_form(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    before = _state(app)
    response = _create(client, token, code="QN-HL-GD-KP4", name="Khu phố 4", level="unit",
                       parent_id=str(_id(app, "QN-HL-GD")), valid_from="hôm qua")  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "hôm qua" in _alert(shown, 'data-testid="unit-tree"')
    assert _input(_form(shown, "new-unit"), "code") == "QN-HL-GD-KP4"
    assert _state(app) == before


def test_abolishing_the_top_level_is_refused_on_the_units_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    before = _state(app)
    response = client.post("/admin/levels/abolish", data={"_csrf": token, "level": "province", "effective": "2025-07-01",
                                                          "confirm": "1"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    message = _alert(shown, 'data-testid="unit-tree"')
    assert "cao nhất" in message and "'province'" not in message
    form = _form(shown, "abolish-level")
    assert _selected(form, "level") == ["province"] and _input(form, "effective") == "2025-07-01"
    assert _selected(_form(shown, "new-unit"), "level") == []
    assert _state(app) == before


def test_abolishing_a_level_with_running_dossiers_is_a_conflict_on_the_units_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    before = _state(app)
    response = client.post("/admin/levels/abolish", data={"_csrf": token, "level": "ward", "effective": "2025-07-01",
                                                          "confirm": "1"})  # fmt: skip
    assert response.status_code == 409
    assert "hồ sơ đang xử lý" in _alert(response.get_data(as_text=True), 'data-testid="unit-tree"')
    assert _state(app) == before


def _new_khu_pho(app: Flask, client: FlaskClient, token: str) -> int:
    """Khu phố 3 of Giếng Đáy, in force from 2024-01-01 (the demo's units have no start date)."""
    made = _create(client, token, code="QN-HL-GD-KP3", name="Khu phố 3", level="unit",
                   parent_id=str(_id(app, "QN-HL-GD")), valid_from="2024-01-01")  # fmt: skip
    assert made.status_code == 302
    return _id(app, "QN-HL-GD-KP3")


def test_a_refused_rename_keeps_the_typed_name_on_the_unit_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    unit_id = _new_khu_pho(app, client, auth.token("/admin/units"))
    page = client.get(f"/admin/units/{unit_id}").get_data(as_text=True)
    before = _state(app)
    response = client.post(f"/admin/units/{unit_id}/rename", data={"_csrf": csrf_from(page), "name": "Khu phố Ba",
                                                                   "effective": "2023-01-01"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "01/01/2023" in _alert(shown, 'data-testid="holders"')
    form = _form(shown, "rename")
    assert _input(form, "name") == "Khu phố Ba" and _input(form, "effective") == "2023-01-01"
    assert _input(_form(shown, "move"), "effective") != "2023-01-01"  # only the form the admin used
    assert _state(app) == before


def test_a_refused_move_keeps_the_chosen_parent_on_the_unit_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    unit_id, khu_pho = _id(app, "QN-HL-GD-KP1"), _id(app, "QN-HL-GD-KP2")
    page = client.get(f"/admin/units/{unit_id}").get_data(as_text=True)
    before = _state(app)
    response = client.post(f"/admin/units/{unit_id}/move", data={"_csrf": csrf_from(page), "parent_id": str(khu_pho),
                                                                 "effective": "2025-07-01"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    message = _alert(shown, 'data-testid="holders"')
    assert "cấp cao hơn" in message and "'unit'" not in message
    form = _form(shown, "move")
    assert _selected(form, "parent_id") == [str(khu_pho)] and _input(form, "effective") == "2025-07-01"
    assert _state(app) == before


def test_a_refused_merge_keeps_the_choices_on_the_unit_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    unit_id, target = _new_khu_pho(app, client, auth.token("/admin/units")), _id(app, "QN-HL-GD-KP2")
    page = client.get(f"/admin/units/{unit_id}").get_data(as_text=True)
    before = _state(app)
    response = client.post(f"/admin/units/{unit_id}/merge", data={"_csrf": csrf_from(page), "target_id": str(target),
                                                                  "effective": "2023-01-01", "roles": "end",
                                                                  "confirm": "1"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "01/01/2023" in _alert(shown, 'data-testid="holders"')
    form = _form(shown, "merge")
    assert _selected(form, "target_id") == [str(target)] and _selected(form, "roles") == ["end"]
    assert _input(form, "effective") == "2023-01-01"
    assert _state(app) == before


def test_a_merge_preview_with_a_bad_date_is_refused_on_the_unit_page(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    unit_id = _id(app, "QN-HL-GD-KP1")
    page = client.get(f"/admin/units/{unit_id}").get_data(as_text=True)
    response = client.post(f"/admin/units/{unit_id}/merge", data={"_csrf": csrf_from(page), "target_id": "1",
                                                                  "effective": "mai", "roles": "move"})  # fmt: skip
    assert response.status_code == 400
    assert "mai" in _alert(response.get_data(as_text=True), 'data-testid="holders"')


def test_an_unknown_unit_is_still_not_found(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    token = auth.token("/admin/units")
    response = client.post("/admin/units/99999/rename", data={"_csrf": token, "name": "X", "effective": "2025-01-01"})
    assert response.status_code == 404


def test_levels_read_in_words_on_the_org_pages(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    tree = client.get("/admin/units").get_data(as_text=True)
    row = tree.split('data-unit="QN-HL-GD"')[1].split("</tr>")[0]
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert "phường/xã" in cells and "ward" not in cells
    for testid in ("new-unit", "abolish-level"):
        options = re.findall(r"<option value=\"(\w+)\"[^>]*>([^<]*)</option>",
                             re.search(r'<select name="level">(.*?)</select>', _form(tree, testid), re.S).group(1))
        assert [value for value, _ in options] == ["unit", "ward", "district", "province"]
        assert [html.unescape(text) for _, text in options] == ["cơ sở (đơn vị, khu phố, trường…)", "phường/xã",
                                                                "quận/huyện", "tỉnh/thành phố"]  # fmt: skip
    unit_page = client.get(f"/admin/units/{_id(app, 'QN-HL-GD')}").get_data(as_text=True)
    heading = html.unescape(re.sub(r"<[^>]+>", "", unit_page.split("<h1>")[1].split("</h1>")[0]))
    assert "phường/xã" in heading and "ward" not in heading
