"""A refused registration (đăng ký thi đua past its deadline) comes back on the campaign page, and a refused
certificate blank layout on its form with every value as typed; each keeps the refusal's status and writes
nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.models import AuditEvent, Campaign, CertificateLayout, OrgUnit, Registration
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)
CAMPAIGN = "/campaigns/PL-CCHC-2024"


def _counts(app: Flask) -> tuple[int, ...]:
    with app.extensions["thidua.session_factory"]() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(model)) or 0)
                     for model in (Registration, AuditEvent, CertificateLayout))  # fmt: skip


def _alert(page: str, testid: str) -> str:
    found = re.findall(rf'<div class="flash error"[^>]*data-testid="{testid}"[^>]*>(.*?)</div>', page, re.S)
    assert len(found) == 1, "no refusal (or more than one) on the page"
    return html.unescape(found[0]).strip()


def _closed(page: str) -> str:
    found = re.search(r'<p class="muted" role="status" data-testid="registration-closed">(.*?)</p>', page, re.S)
    assert found, "the page does not say registration is closed"
    return html.unescape(found.group(1)).strip()


def _value(page: str, name: str) -> str:
    tag = re.search(rf'<input type="text" name="{name}"[^>]*>', page)
    assert tag, f"no field {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def test_a_registration_past_its_deadline_is_refused_on_the_campaign_page(app, client, auth: Auth):
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        campaign = session.scalar(select(Campaign).where(Campaign.code == "PL-CCHC-2024"))
        campaign.registration_deadline = date(2024, 11, 1)  # the demo clock says 01/12/2024
        unit_id = str(session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD-PL-VH")))
    auth.login("hn-hd-pl-vh.unit_clerk")
    page = client.get(CAMPAIGN).get_data(as_text=True)
    # The page says registration is closed and offers no button that could only be refused ...
    assert _closed(page) == "Hạn đăng ký thi đua là ngày 01/11/2024; đã quá hạn."
    assert "/register" not in page and "Đăng ký thi đua cho" not in page
    english = client.get(f"{CAMPAIGN}?lang=en").get_data(as_text=True)
    assert _closed(english) == "The registration deadline was 01/11/2024; it has passed."
    client.get(f"{CAMPAIGN}?lang=vi")
    # ... and a registration posted all the same (a page opened before the deadline) is refused on the page.
    before = _counts(app)
    response = client.post(f"{CAMPAIGN}/register", data={"_csrf": csrf_from(page), "unit_id": unit_id})
    shown = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert _alert(shown, "campaign-error") == "Hạn đăng ký thi đua là ngày 01/11/2024; đã quá hạn."
    assert 'data-rule="PL-TAP-THE"' in shown  # the whole campaign page, its rules too
    assert "Đăng ký thi đua cho" not in shown
    assert _counts(app) == before
    with app.extensions["thidua.session_factory"]() as session:
        assert session.scalar(select(func.count()).select_from(Registration)
                              .where(Registration.org_unit_id == int(unit_id))) == 0  # fmt: skip


@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_refused_blank_layout_comes_back_with_what_was_typed(app, client, auth: Auth, action: str):
    with app.extensions["thidua.session_factory"]() as session:
        unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD-PL"))
    url = f"/campaigns/blank/{unit}"
    auth.login("admin")
    form_page = client.get(url).get_data(as_text=True)
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form_page))
    form.update({"_csrf": csrf_from(form_page), "width": "300", "recipient_x": "290", "citation_size": "15",
                 "action": action})  # fmt: skip
    form.pop("recipient_bold", None)  # the box unticked
    before = _counts(app)
    response = client.post(url, data=form)
    shown = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert _alert(shown, "blank-error") == (
        "Trường “Người/tập thể được khen” nằm ngoài khổ phôi hoặc cỡ chữ không hợp lệ.")
    assert 'data-testid="blank-form"' in shown
    typed = (_value(shown, "width"), _value(shown, "recipient_x"), _value(shown, "citation_size"))
    assert typed == ("300", "290", "15")
    assert not re.search(r'name="recipient_bold" value="1" checked', shown)
    assert _counts(app) == before

    unreadable = client.post(url, data={**form, "height": "cao"})
    assert unreadable.status_code == 400 and _value(unreadable.get_data(as_text=True), "height") == "cao"
    assert "Bố cục phôi cần khổ giấy" in _alert(unreadable.get_data(as_text=True), "blank-error")
    assert _counts(app) == before
