"""Records pages: search and import from Excel with per-row errors."""

from __future__ import annotations

import io

from tests.operations.test_records import xlsx
from tests.web.conftest import Auth


def test_office_clerk_imports_ratings_and_searches_them(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    token = auth.token("/records/")
    good = xlsx("rating", [["Nguyễn Thị Hương", "HN-HD-PL-TP", 2024, "Hoàn thành xuất sắc nhiệm vụ"]])
    response = client.post("/records/import", content_type="multipart/form-data",
                           data={"_csrf": token, "kind": "rating", "file": (io.BytesIO(good), "xep-loai.xlsx")})  # fmt: skip
    assert response.status_code == 302
    page = client.get("/records/?name=nguyễn thị hương").get_data(as_text=True)
    assert "hoàn thành xuất sắc nhiệm vụ" in page
    bad = xlsx("rating", [["Trần Văn A", "HN-HD-PL-TP", 2024, "giỏi"]])
    refused = client.post("/records/import", content_type="multipart/form-data",
                          data={"_csrf": token, "kind": "rating", "file": (io.BytesIO(bad), "x.xlsx")})  # fmt: skip
    assert refused.status_code == 400 and "Dòng 2: xếp loại phải là" in refused.get_data(as_text=True)
    garbage = client.post("/records/import", content_type="multipart/form-data",
                          data={"_csrf": token, "kind": "rating", "file": (io.BytesIO(b"not excel"), "x.xlsx")})  # fmt: skip
    assert garbage.status_code == 400


def test_a_record_can_be_entered_by_hand_with_the_same_checks(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    token = auth.token("/records/")
    added = client.post("/records/add", data={"_csrf": token, "kind": "award", "Tên tập thể/cá nhân": "Phạm Văn Khải",
                                              "Loại": "cá nhân", "Mã đơn vị": "HN-HD-PL-TP", "Hình thức khen thưởng": "Giấy khen",
                                              "Mã hình thức": "GK-XA", "Năm": "2023", "Số quyết định": "88/QĐ-UBND",
                                              "Ngày quyết định": "15/12/2023"})  # fmt: skip
    assert added.status_code == 302
    assert "88/QĐ-UBND (15/12/2023)" in client.get("/records/?name=phạm văn khải").get_data(as_text=True)
    wrong = client.post("/records/add", data={"_csrf": token, "kind": "rating", "Họ và tên": "A", "Mã đơn vị": "HN-HD-PL-TP",
                                              "Năm": "2024", "Xếp loại": "tuyệt vời"})  # fmt: skip
    assert wrong.status_code == 400 and "xếp loại phải là" in wrong.get_data(as_text=True)
