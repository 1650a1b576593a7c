"""Forms sent without a choice the page asks for (a campaign, a decision) are refused in words the official
understands, in the page's language; the sign-in page asks to sign in in the page's language too."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from service.models import Dossier, HumanTask
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from, submit_dossiers

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _alert(page: str) -> str:
    (found,) = re.findall(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found).strip()


@pytest.mark.parametrize(("lang", "expected"), [("vi", "Hãy đăng nhập để tiếp tục."), ("en", "Sign in to continue.")])
def test_the_sign_in_page_asks_to_sign_in_in_the_pages_language(client, lang: str, expected: str):
    client.get(f"/auth/login?lang={lang}")
    shown = client.get("/inbox/", follow_redirects=True).get_data(as_text=True)
    assert expected in shown
    if lang == "en":
        assert "Hãy đăng nhập" not in shown


@pytest.mark.parametrize(("lang", "expected"), [("vi", "Hãy chọn phong trào thi đua."), ("en", "Choose a campaign.")])
def test_a_new_dossier_without_a_campaign_is_asked_for_one(app, client, auth: Auth, lang: str, expected: str):
    auth.login("hn-hd-pl-tc.unit_clerk")
    page = client.get(f"/dossiers/new?lang={lang}").get_data(as_text=True)
    assert '<select id="campaign" name="campaign" required' in page
    unit_id = re.search(r'name="unit_id"><option value="(\d+)"', page).group(1)
    with app.extensions["thidua.session_factory"]() as session:
        before = len(session.scalars(select(Dossier.id)).all())
    refused = client.post("/dossiers/new", data={"_csrf": csrf_from(page), "unit_id": unit_id, "campaign": "",
                                                 "title": "Hồ sơ không chọn phong trào", "name_0": "Phạm Thị Lan"})  # fmt: skip
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert html.unescape(re.search(r'data-testid="form-error">(.*?)</div>', shown, re.S).group(1)) == expected
    assert 'value="Hồ sơ không chọn phong trào"' in shown
    with app.extensions["thidua.session_factory"]() as session:
        assert len(session.scalars(select(Dossier.id)).all()) == before


@pytest.mark.parametrize(("lang", "expected"), [("vi", "Hãy chọn quyết định."), ("en", "Choose a decision.")])
def test_a_task_sent_without_a_decision_is_asked_for_one(app, client, auth: Auth, lang: str, expected: str):
    (task_id,) = submit_dossiers(app, 1)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get(f"/inbox/tasks/{task_id}?lang={lang}").get_data(as_text=True)
    refused = client.post(f"/inbox/tasks/{task_id}/complete", data={"_csrf": csrf_from(page), "comment": "Đủ hồ sơ"})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert _alert(shown) == expected
    assert "Đủ hồ sơ" in shown
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(HumanTask, task_id).state == "ready"
