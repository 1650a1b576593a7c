"""A refusal a page shows is in its reader's language: English in the English locale (the template translated,
then its values filled in), Vietnamese by default; the JSON API keeps the Vietnamese message."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from
from tests.web.test_dossier_forms_refusals import CLERK, flash_errors, nominee_of
from tests.web.test_unit_clerk import create

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _refused_summary(client, lang: str) -> tuple[int, str]:
    dossier_id, url = create(client)
    page = client.get(f"{url}?lang={lang}").get_data(as_text=True)
    nominee_id = nominee_of(client.get(url).get_data(as_text=True))
    refused = client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary",
                          data={"summary": "Hoàn thành xuất sắc nhiệm vụ. " * 80, "_csrf": csrf_from(page)})  # fmt: skip
    (message,) = flash_errors(refused.get_data(as_text=True))
    return refused.status_code, " ".join(html.unescape(message).split())


def test_a_refused_form_reads_in_english_in_the_english_locale(client, auth: Auth):
    auth.login(CLERK)
    status, message = _refused_summary(client, "en")
    assert status == 400
    assert re.fullmatch(r"The summary is \d+ characters long; at most half a page \(1800 characters\)\.", message), message


def test_the_same_refusal_stays_vietnamese_by_default(client, auth: Auth):
    auth.login(CLERK)
    status, message = _refused_summary(client, "vi")
    assert status == 400
    assert re.fullmatch(r"Trích ngang dài \d+ ký tự; tối đa nửa trang \(1800 ký tự\)\.", message), message


def test_an_error_page_refusal_reads_in_english(client, auth: Auth):
    auth.login(CLERK)
    client.get("/?lang=en")
    page = client.get("/dossiers/999999").get_data(as_text=True)
    assert "Dossier not found." in page and "Không tìm thấy hồ sơ." not in page
    client.get("/?lang=vi")
    assert "Không tìm thấy hồ sơ." in client.get("/dossiers/999999").get_data(as_text=True)
