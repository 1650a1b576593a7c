"""The campaign page offers the báo cáo tổng kết and thông báo buttons only to whom the route lets draw them up
(domain.permissions.can_write_campaign_report): the issuing level's chairman, office, Nội vụ or Ban TĐKT, and admins.
A ward official reading a district's campaign was shown buttons that answered 403. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.models import Campaign, OrgUnit
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)
CAMPAIGN = "PL-CCHC-2024"  # issued by phường Phú Lãm (HN-HD-PL)
REPORT_FORM = "/documents/report"


def _offered(client: FlaskClient, username: str) -> bool:
    auth = Auth(client)
    auth.login(username)
    page = client.get(f"/campaigns/{CAMPAIGN}")
    assert page.status_code == 200, username
    auth.logout()
    return f"/campaigns/{CAMPAIGN}{REPORT_FORM}" in page.get_data(as_text=True)


def _issued_by(app: Flask, code: str) -> None:
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
        session.execute(update(Campaign).where(Campaign.code == CAMPAIGN).values(issuing_unit_id=unit_id))


def test_the_issuing_wards_officials_and_those_above_are_offered_the_report(app: Flask, client: FlaskClient):
    assert _offered(client, "hn-hd-pl.office_clerk") and _offered(client, "hn-hd.chairman")
    assert _offered(client, "admin")
    assert not _offered(client, "hn-hd-pl.council_member") and not _offered(client, "auditor")


def test_a_ward_official_reading_a_districts_campaign_is_not_offered_the_report(app: Flask, client: FlaskClient):
    _issued_by(app, "HN-HD")
    assert not _offered(client, "hn-hd-pl.office_clerk")  # reads it (his ward takes part) but does not issue it
    assert _offered(client, "hn-hd.chairman")
