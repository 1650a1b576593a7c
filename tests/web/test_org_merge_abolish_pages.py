"""The merge and abolish previews say what will happen in words, with day-first dates, and their "Áp dụng" asks first
(data-confirm); a merge across provinces is refused on the unit page; the abolish preview lists the running dossiers
that could still be returned to the level and warns of it; the tree shows dates day first."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from service.models import OrgUnit
from tests.operations.test_abolish_preview_running import dossier_waiting_at_the_province
from tests.web.conftest import Auth


def _unit(app, code: str) -> OrgUnit:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def _confirm_form(page: str) -> str:
    return re.search(r'<form method="post" action="[^"]*" data-testid="confirm"[^>]*>', page).group(0)


def test_the_merge_preview_names_both_units_and_the_day_and_asks_first(app, client, auth: Auth):
    auth.login("admin")
    source, target = _unit(app, "HN-HD-PL-TC"), _unit(app, "HN-HD-PL-VH")
    form = {"_csrf": auth.token("/admin/units"), "target_id": str(target.id), "effective": "2025-07-01",
            "roles": "move"}
    preview = html.unescape(client.post(f"/admin/units/{source.id}/merge", data=form).get_data(as_text=True))
    said = "Sáp nhập Bộ phận Tài chính - Kế toán vào Bộ phận Văn hóa - Thông tin từ ngày 01/07/2025"
    assert f"<b>{said}.</b>" in preview
    assert f'data-confirm="{said}?' in _confirm_form(preview)
    assert client.post(f"/admin/units/{source.id}/merge", data={**form, "confirm": "1"}).status_code == 302
    tree = html.unescape(client.get("/admin/units?on=2025-07-01").get_data(as_text=True))
    assert "(HN-HD-PL-TC, đến 01/07/2025)" in tree
    detail = client.get(f"/admin/units/{source.id}").get_data(as_text=True)
    assert "Hiệu lực đến 01/07/2025" in detail


def test_a_merge_across_provinces_is_refused_and_not_offered(app, client, auth: Auth):
    auth.login("admin")
    source, target = _unit(app, "HN-HD-PL-TC"), _unit(app, "BT-GT-MT-A1")
    page = client.get(f"/admin/units/{source.id}").get_data(as_text=True)
    merge_form = page.split('data-testid="merge"')[1].split("</form>")[0]
    assert f'value="{target.id}"' not in merge_form and f'value="{_unit(app, "HN-HD-PL-VH").id}"' in merge_form
    for confirm in ("", "1"):
        response = client.post(f"/admin/units/{source.id}/merge", data={
            "_csrf": auth.token(f"/admin/units/{source.id}"), "target_id": str(target.id), "effective": "2025-07-01",
            "roles": "move", "confirm": confirm})  # fmt: skip
        assert response.status_code == 400
        assert "Không thể sáp nhập 'Bộ phận Tài chính - Kế toán' (thuộc Phường Phú Lãm) vào 'Ấp 1'" in html.unescape(
            response.get_data(as_text=True))
    assert _unit(app, "HN-HD-PL-TC").valid_to is None


def test_the_abolish_preview_lists_dossiers_that_could_return_to_the_level(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    waiting = dossier_waiting_at_the_province(factory, engine)
    auth.login("admin")
    form = {"_csrf": auth.token("/admin/units"), "level": "district", "effective": "2025-07-01"}
    preview = html.unescape(client.post("/admin/levels/abolish", data=form).get_data(as_text=True))
    assert "<b>Bãi bỏ cấp quận/huyện từ ngày 01/07/2025.</b>" in preview
    routed = preview.split('data-testid="routed"')[1].split("</div>")[0]
    assert f'/dossiers/{waiting}">#{waiting}</a>' in routed and "trả lại về cấp quận/huyện sẽ bị từ chối" in routed
    assert not re.search(r'data-n="running">0<', preview)
    assert 'data-confirm="Bãi bỏ cấp quận/huyện từ ngày 01/07/2025?' in _confirm_form(preview)
    late = client.post("/admin/levels/abolish", data={**form, "effective": "2024-11-01"}).get_data(as_text=True)
    late = html.unescape(late)
    assert "Quận Hà Đông: 01/12/2024" in late.split('data-testid="late-activity"')[1]
