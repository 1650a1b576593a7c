"""Records entered by hand or imported: a refusal comes back to the records page in the page's language, with the
refused form open and what was typed kept, and nothing written; an import lists every problem of each bad row.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from service.models import PastAward, YearlyRating
from tests.operations.test_records import xlsx
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

CLERK = "hn-hd-pl.office_clerk"
AWARD = {"kind": "award", "Tên tập thể/cá nhân": "Phạm Văn Khải", "Loại": "cá nhân", "Mã đơn vị": "KHONG-CO",
         "Hình thức khen thưởng": "Giấy khen", "Mã hình thức": "GK-XA", "Năm": "20x3", "Số quyết định": "88/QĐ-UBND",
         "Ngày quyết định": "31/02/2024"}  # fmt: skip


def _alert(page: str) -> str:
    (found,) = re.findall(r'<div class="flash error" role="alert" data-testid="records-error">(.*?)</div>', page, re.S)
    return html.unescape(found).strip()


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(model))


def _value(page: str, kind: str, column: str) -> str:
    form = re.search(rf'<input type="hidden" name="kind" value="{kind}">(.*?)</form>', page, re.S).group(1)
    return html.unescape(re.search(rf'name="{re.escape(column)}" value="([^"]*)"', form).group(1))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_refused_record_comes_back_to_the_records_page_with_every_problem_and_the_typed_fields(app, client,
                                                                                               auth: Auth, lang: str):  # fmt: skip
    auth.login(CLERK)
    token = auth.token(f"/records/?lang={lang}")
    before = _count(app, PastAward)
    refused = client.post("/records/add", data={"_csrf": token, **AWARD})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "<h1>" in page and 'data-testid="add-record" open' in page
    message = _alert(page)
    if lang == "en":
        assert message == ("The record was not added: there is no unit with code “KHONG-CO”; “Năm” must be a number; "
                           "“Ngày quyết định” must be a date written day/month/year (such as 15/12/2023).")  # fmt: skip
    else:
        assert message == ("Chưa thêm được dòng này: không có đơn vị mã “KHONG-CO”; “Năm” phải là số; "
                           "“Ngày quyết định” phải có dạng ngày/tháng/năm.")  # fmt: skip
    for column, typed in AWARD.items():
        if column != "kind":
            assert _value(page, "award", column) == typed
    assert _value(page, "rating", "Năm") == ""  # only the form that was filled is filled again
    assert _count(app, PastAward) == before


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_import_lists_every_problem_of_each_row_in_the_pages_language(app, client, auth: Auth, lang: str):
    auth.login(CLERK)
    token = auth.token(f"/records/?lang={lang}")
    before = _count(app, YearlyRating)
    bad = xlsx("rating", [["Trần Văn A", "KHONG-CO", "20x3", "giỏi"], ["Lê Thị B", "HN-HD-PL-TP", 2024, "Hoàn thành tốt nhiệm vụ"],
                          [None, "HN-HD-PL-TP", 2024, None]])  # fmt: skip
    refused = client.post("/records/import", content_type="multipart/form-data",
                          data={"_csrf": token, "kind": "rating", "file": (io.BytesIO(bad), "x.xlsx")})  # fmt: skip
    assert refused.status_code == 400
    listed = re.search(r'<ul data-testid="import-errors">(.*?)</ul>', refused.get_data(as_text=True), re.S).group(1)
    errors = [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", listed)]
    if lang == "en":
        assert errors[0].startswith("Row 2: there is no unit with code “KHONG-CO”; “Năm” must be a number; "
                                    "the rating must be one of: ")  # fmt: skip
        assert errors[1] == "Row 4: “Họ và tên” is missing; “Xếp loại” is missing."
    else:
        assert errors[0].startswith("Dòng 2: không có đơn vị mã “KHONG-CO”; “Năm” phải là số; xếp loại phải là một trong: ")
        assert errors[1] == "Dòng 4: thiếu “Họ và tên”; thiếu “Xếp loại”."
    assert len(errors) == 2
    assert _count(app, YearlyRating) == before
    # A file that is no spreadsheet: the records page again with why, in the page's language.
    garbage = client.post("/records/import", content_type="multipart/form-data",
                          data={"_csrf": token, "kind": "rating", "file": (io.BytesIO(b"not excel"), "x.xlsx")})  # fmt: skip
    assert garbage.status_code == 400 and _alert(garbage.get_data(as_text=True))
