"""Deleting a dossier's last nominee is refused on the dossier page (the reason at the top, the nominee still
there, nothing written), as the page's other refusals are; someone who may not edit the dossier gets the error page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, Nominee
from tests.web.conftest import Auth, csrf_from
from tests.web.test_dossier_forms_refusals import flash_errors
from tests.web.test_unit_clerk import create

CLERK = "hn-hd-pl-tc.unit_clerk"


def _counts(app: Flask) -> tuple[int, int]:
    with app.extensions["thidua.session_factory"]() as session:
        return (session.scalar(select(func.count()).select_from(Nominee)),
                session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


def test_deleting_the_last_nominee_is_refused_on_the_dossier_page(app, client: FlaskClient, auth: Auth):
    auth.login(CLERK)
    dossier_id, url = create(client)
    page = client.get(url).get_data(as_text=True)
    nominee_id = re.search(r'<option value="(\d+)">Phạm Thị Lan</option>', page).group(1)
    before = _counts(app)
    response = client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/delete", data={"_csrf": csrf_from(page)})
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert flash_errors(shown) == ["Hồ sơ phải còn ít nhất một người được đề nghị."]
    assert f"#{dossier_id}</h1>" in shown and 'data-testid="nominee-editor"' in shown
    assert shown.index('class="flash error"') < shown.index('data-testid="nominee-editor"')  # at the top
    assert f'<textarea id="summary-{nominee_id}"' in shown  # the nominee is still there
    assert _counts(app) == before


def test_someone_else_deleting_a_nominee_still_gets_the_error_page(app, client: FlaskClient, auth: Auth):
    auth.login(CLERK)
    dossier_id, url = create(client)
    nominee_id = re.search(r'<option value="(\d+)">Phạm Thị Lan</option>', client.get(url).get_data(as_text=True)).group(1)
    auth.logout()
    auth.login("hn-hd-pl-vh.unit_clerk")
    before = _counts(app)
    response = client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/delete", data={"_csrf": auth.token()})
    assert response.status_code in (403, 404)
    assert 'data-testid="nominee-editor"' not in response.get_data(as_text=True)
    assert _counts(app) == before
