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
