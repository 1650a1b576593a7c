"""Deleting a nominee on the dossier page says what was done, in the page's language; the dossier's last nominee
is offered no delete button (it would be refused), a hint says why instead."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient

from tests.web.conftest import Auth
from tests.web.test_unit_clerk import create

CLERK = "hn-hd-pl-tc.unit_clerk"


def _delete_forms(page: str, dossier_id: int) -> dict[str, str]:
    """Nominee name → the address its delete form posts to."""
    found = re.findall(rf'<form method="post" action="(/dossiers/{dossier_id}/nominees/\d+/delete)"[^>]*>.*?'
                       r'<button type="submit">[^<]*?(?:Xóa|Remove) ([^<]*)</button>', page, re.S)  # fmt: skip
    return {html.unescape(name): action for action, name in found}


def _flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<div class="flash ok"[^>]*>(.*?)</div>', page, re.S)]


def _with_two_nominees(client: FlaskClient, auth: Auth) -> tuple[int, str]:
    dossier_id, url = create(client)
    added = client.post(f"/dossiers/{dossier_id}/nominees", data={"_csrf": auth.token(url), "kind": "individual",
                                                                  "full_name": "Trần Văn Bình", "award_form": "GK-XA"})
    assert added.status_code == 302
    return dossier_id, url


def test_a_delete_says_what_was_done_and_the_last_nominee_has_no_delete_button(client: FlaskClient, auth: Auth):
    auth.login(CLERK)
    dossier_id, url = _with_two_nominees(client, auth)
    page = client.get(url).get_data(as_text=True)
    forms = _delete_forms(page, dossier_id)
    assert set(forms) == {"Phạm Thị Lan", "Trần Văn Bình"}
    assert 'data-testid="last-nominee"' not in page

    deleted = client.post(forms["Trần Văn Bình"], data={"_csrf": auth.token(url)})
    assert deleted.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Đã xóa Trần Văn Bình khỏi hồ sơ." in _flashes(page)
    assert _delete_forms(page, dossier_id) == {}  # Phạm Thị Lan is the last: nothing to click that would be refused
    hint = re.search(r'data-testid="last-nominee">(.*?)</p>', page, re.S).group(1)
    assert html.unescape(hint) == "Hồ sơ cần ít nhất một người được đề nghị, nên không xóa được người cuối cùng."
    assert '<textarea id="summary-' in page  # her summary can still be edited

    english = client.get(f"{url}?lang=en").get_data(as_text=True)
    hint = re.search(r'data-testid="last-nominee">(.*?)</p>', english, re.S).group(1)
    assert html.unescape(hint) == "A dossier needs at least one nominee, so the last one cannot be removed."


def test_the_delete_message_is_in_english_on_an_english_page(client: FlaskClient, auth: Auth):
    auth.login(CLERK)
    dossier_id, url = _with_two_nominees(client, auth)
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    forms = _delete_forms(page, dossier_id)
    assert set(forms) == {"Phạm Thị Lan", "Trần Văn Bình"}
    client.post(forms["Phạm Thị Lan"], data={"_csrf": auth.token(url)})
    assert "Phạm Thị Lan removed from the dossier." in _flashes(client.get(url).get_data(as_text=True))
