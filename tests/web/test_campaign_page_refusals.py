"""A refused action on a campaign page (ra quyết định, tờ trình, báo cáo, thông báo, đăng ký) shows the campaign page
again with the refusal at the top and what the official typed, keeps the refusal's status, and writes nothing."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, Decision, GeneratedDocument, OrgUnit, Registration, RoleAssignment, User
from tests.web.conftest import Auth, csrf_from

CAMPAIGN = "/campaigns/TEST-PL-ALL"


def _alert(page: str) -> str:
    found = re.findall(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert len(found) == 1, "no refusal (or more than one) at the top of the page"
    assert page.index("</h1>") < page.index('role="alert"') < page.index('data-testid="decisions"')
    return html.unescape(found[0]).strip()


def _counts(app: Flask) -> tuple[int, int, int, int]:
    with app.extensions["thidua.session_factory"]() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Decision, GeneratedDocument, AuditEvent, Registration))  # type: ignore[return-value]  # fmt: skip


def _decision_form(page: str, unit_id: str) -> str:
    """The decision form of one issuing unit."""
    for form in re.findall(r'<form method="post" action="/campaigns/[^"]+/decisions".*?</form>', page, re.S):
        if f'name="unit_id" value="{unit_id}"' in form:
            return form
    raise AssertionError(f"no decision form for unit {unit_id}")


def _signer(form: str) -> str:
    tag = re.search(r'<input type="text" name="signer_name"[^>]*>', form).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return html.unescape(value.group(1)) if value else ""


def _ward_unit_id(page: str) -> str:
    return re.search(r'name="unit_id" value="(\d+)">\s*<label>Người ký', page).group(1)


def test_a_decision_with_nothing_granted_is_refused_on_the_campaign_page_with_the_signer_kept(app, client: FlaskClient,
                                                                                               auth: Auth):  # fmt: skip
    auth.login("hn-hd-pl.chairman")
    page = client.get(CAMPAIGN).get_data(as_text=True)
    unit_id = _ward_unit_id(page)
    before = _counts(app)
    response = client.post(f"{CAMPAIGN}/decisions", data={"_csrf": csrf_from(page), "unit_id": unit_id,
                                                          "signer_name": "Nguyễn Văn Thành"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Chưa có tập thể, cá nhân nào được Chủ tịch đồng ý khen mà chưa có quyết định."
    assert _signer(_decision_form(shown, unit_id)) == "Nguyễn Văn Thành"
    assert "GK-XA" in shown and 'data-testid="decisions"' in shown  # the whole campaign page, its award forms too
    assert _counts(app) == before


def test_a_decision_without_a_signer_is_refused_on_the_page(app, client: FlaskClient, auth: Auth):
    auth.login("hn-hd-pl.chairman")
    page = client.get(CAMPAIGN).get_data(as_text=True)
    before = _counts(app)
    response = client.post(f"{CAMPAIGN}/decisions", data={"_csrf": csrf_from(page), "unit_id": _ward_unit_id(page),
                                                          "signer_name": "   "})  # fmt: skip
    assert response.status_code == 400
    assert _alert(response.get_data(as_text=True)) == "Cần ghi tên người ký quyết định."
    assert _counts(app) == before


def test_only_the_form_used_keeps_the_signer(app, client: FlaskClient, auth: Auth):
    """An official who issues for two units sees the typed name in the form he used, not in the other."""
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        user = session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))
        district = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD"))
        session.add(RoleAssignment(user_id=user, role="chairman", org_unit_id=district))
    auth.login("hn-hd-pl.chairman")
    page = client.get(CAMPAIGN).get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/campaigns/[^"]+/decisions".*?</form>', page, re.S)
    unit_ids = [re.search(r'name="unit_id" value="(\d+)"', f).group(1) for f in forms]
    assert len(unit_ids) == 2
    response = client.post(f"{CAMPAIGN}/decisions", data={"_csrf": csrf_from(page), "unit_id": unit_ids[1],
                                                          "signer_name": "Trần Thị Ký"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert [_signer(_decision_form(shown, u)) for u in unit_ids] == ["", "Trần Thị Ký"]


def test_a_forwarding_proposal_with_nothing_forwarded_is_refused_on_the_page(app, client: FlaskClient, auth: Auth):
    auth.login("hn-hd-pl.chairman")
    page = client.get(CAMPAIGN).get_data(as_text=True)
    before = _counts(app)
    response = client.post(f"{CAMPAIGN}/documents/forwarding", data={"_csrf": csrf_from(page),
                                                                     "unit_id": _ward_unit_id(page)})  # fmt: skip
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert _alert(response.get_data(as_text=True)) == "Chưa có tập thể, cá nhân nào được trình lên cấp trên."
    assert _counts(app) == before


def test_notices_with_nobody_turned_down_are_refused_on_the_page(app, client: FlaskClient, auth: Auth):
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)
    before = _counts(app)
    response = client.post("/campaigns/PL-CCHC-2024/documents/notices", data={"_csrf": csrf_from(page)})
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Không có đơn vị nào cần thông báo."
    assert "PL-TAP-THE" in shown
    assert _counts(app) == before


def test_who_may_not_issue_still_gets_the_error_page(app, client: FlaskClient, auth: Auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    page = client.get(CAMPAIGN).get_data(as_text=True)
    with app.extensions["thidua.session_factory"]() as session:
        ward = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD-PL"))
    response = client.post(f"{CAMPAIGN}/decisions", data={"_csrf": csrf_from(page), "unit_id": str(ward),
                                                          "signer_name": "Ai đó"})  # fmt: skip
    assert response.status_code == 403
    assert 'data-testid="decisions"' not in response.get_data(as_text=True)
