"""The users page: closed units are not offered for a grant and a grant there is refused with the unit's end date;
roles read in words; the grant button has a name; a search box narrows the list (server side)."""

from __future__ import annotations

import html
import re
from datetime import date

from sqlalchemy import func, select

from service.models import AuditEvent, OrgUnit, RoleAssignment, User
from tests.web.conftest import Auth, csrf_from


def _close_ha_long(app) -> tuple[int, int]:
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-HL"))
        unit.valid_to = date(2024, 7, 1)  # the demo's clock stands at 1 December 2024
        return unit.id, session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))


def test_a_closed_unit_is_not_offered_and_a_grant_there_is_refused(app, client, auth: Auth):
    unit_id, user_id = _close_ha_long(app)
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'<option value="{unit_id}"' not in page and "QN-HL – Thành phố Hạ Long" not in page
    assert "QN-HL-GD – Phường Giếng Đáy</option>" in page  # its wards are open
    with app.extensions["thidua.session_factory"]() as session:
        before = (session.scalar(select(func.count()).select_from(RoleAssignment)),
                  session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip
    refused = client.post("/admin/roles", data={"_csrf": csrf_from(page), "user_id": str(user_id), "role": "noi_vu",
                                                "unit_id": str(unit_id)})  # fmt: skip
    assert refused.status_code == 400
    alert = html.unescape(re.search(r'data-testid="admin-error">(.*?)</div>', refused.get_data(as_text=True), re.S)[1])
    assert alert.startswith("Thành phố Hạ Long (QN-HL) đã ngừng hoạt động từ ngày 01/07/2024")
    with app.extensions["thidua.session_factory"]() as session:
        assert (session.scalar(select(func.count()).select_from(RoleAssignment)),
                session.scalar(select(func.count()).select_from(AuditEvent))) == before  # fmt: skip


def test_roles_read_in_words_and_the_grant_button_has_a_name(app, client, auth: Auth):
    auth.login("admin")
    page = html.unescape(client.get("/admin/users").get_data(as_text=True))
    row = page.split('data-user="hn-hd-pl.chairman"')[1].split("</tr>")[0]
    ward = "Phường Phú Lãm"
    assert f'<span class="held-role">Chủ tịch UBND tại {ward}</span>' in row
    assert re.search(r'<button type="submit" aria-label="Giao vai trò cho hn-hd-pl\.chairman"[^>]*>\+</button>', row)
    english = html.unescape(client.get("/admin/users?lang=en").get_data(as_text=True))
    row = english.split('data-user="hn-hd-pl.chairman"')[1].split("</tr>")[0]
    assert 'aria-label="Grant a role to hn-hd-pl.chairman"' in row and " at " in row


def test_the_search_box_narrows_the_list(app, client, auth: Auth):
    auth.login("admin")
    everyone = client.get("/admin/users").get_data(as_text=True).count("data-user=")
    found = client.get("/admin/users?q=pl.CHAIRMAN").get_data(as_text=True)
    assert re.findall(r'data-user="([^"]+)"', found) == ["hn-hd-pl.chairman"]
    assert f"1 trên {everyone} người dùng khớp" in html.unescape(found)
    assert "Không có người dùng nào khớp." in client.get("/admin/users?q=zzz-khong-co").get_data(as_text=True)
