"""The unit clerk's side: build the dossier, see what is missing, submit, answer a return."""

from __future__ import annotations

import io
import re

from service.operations.demo import sample_pdf
from tests.web.conftest import Auth, csrf_from


def create(client) -> tuple[int, str]:
    page = client.get("/dossiers/new").get_data(as_text=True)
    unit_id = re.search(r'name="unit_id"><option value="(\d+)"', page).group(1)
    response = client.post("/dossiers/new", data={
        "_csrf": csrf_from(page), "unit_id": unit_id, "campaign": "PL-CCHC-2024",
        "title": "Đề nghị khen thưởng Bộ phận Tài chính - Kế toán",
        "kind_0": "individual", "name_0": "Phạm Thị Lan", "position_0": "Kế toán", "award_0": "GK-XA"})  # fmt: skip
    dossier_url = response.headers["Location"]
    return int(dossier_url.rstrip("/").rsplit("/", 1)[1]), dossier_url


def upload(client, dossier_id: int, kind: str, nominee_id: str = "", data: bytes | None = None, name: str = "tệp.pdf"):
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    return client.post(f"/dossiers/{dossier_id}/documents", content_type="multipart/form-data", data={
        "_csrf": csrf_from(page), "kind": kind, "nominee_id": nominee_id,
        "file": (io.BytesIO(data if data is not None else sample_pdf(kind)), name)})  # fmt: skip


def test_clerk_builds_submits_and_answers_a_return(client, auth: Auth):
    auth.login("hn-hd-pl-tc.unit_clerk")
    dossier_id, url = create(client)
    page = client.get(url).get_data(as_text=True)
    assert "Biên bản họp bình xét" in page and 'data-testid="submit-form"' in page
    nominee_id = re.search(r'<option value="(\d+)">Phạm Thị Lan</option>', page).group(1)

    refused = upload(client, dossier_id, "meeting_minutes", data=b"MZ\x90 not a document", name="virus.pdf")
    assert refused.status_code == 400 and "PDF" in refused.get_data(as_text=True)
    early = client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": auth.token(url)})
    assert early.status_code == 400 and "Hồ sơ còn thiếu" in early.get_data(as_text=True)

    for kind in ("meeting_minutes", "proposal_letter"):
        assert upload(client, dossier_id, kind, name="Biên bản họp.pdf").status_code == 302
    for kind in ("achievement_report", "summary_sheet"):
        assert upload(client, dossier_id, kind, nominee_id).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Hồ sơ đã đủ tài liệu." in page and "Biên bản họp.pdf" in page
    doc_link = re.search(rf'href="(/dossiers/{dossier_id}/documents/\d+)"', page).group(1)
    downloaded = client.get(doc_link)
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"%PDF")

    assert client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": csrf_from(page)}).status_code == 302
    assert "Đang xét duyệt" in client.get(url).get_data(as_text=True)
    auth.logout()

    auth.login("hn-hd-pl.office_clerk")
    inbox = client.get("/inbox/").get_data(as_text=True)
    rows = re.findall(r'data-task-id="(\d+)">(.*?)</tr>', inbox, re.S)
    (task_id,) = [tid for tid, cells in rows if f'href="/dossiers/{dossier_id}"' in cells]
    task_page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert "Phạm Thị Lan" in task_page
    client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "return", "comment": "Trích ngang quá chung chung",
                                                          "_csrf": csrf_from(task_page)})  # fmt: skip
    auth.logout()

    auth.login("hn-hd-pl-tc.unit_clerk")
    page = client.get(url).get_data(as_text=True)
    assert "Trả lại bổ sung" in page and "Trích ngang quá chung chung" in page
    too_long = client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary",
                           data={"summary": "ệ" * 2000, "_csrf": csrf_from(page)})  # fmt: skip
    assert too_long.status_code == 400 and "nửa trang" in too_long.get_data(as_text=True)
    client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary",
                data={"summary": "Hoàn thành xuất sắc nhiệm vụ kế toán, không sai sót.", "_csrf": csrf_from(page)})
    assert client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": csrf_from(page)}).status_code == 302
    assert "Đang xét duyệt" in client.get(url).get_data(as_text=True)


def test_other_units_clerk_can_neither_upload_nor_submit(client, auth: Auth):
    auth.login("hn-hd-pl-tc.unit_clerk")
    dossier_id, url = create(client)
    auth.logout()
    auth.login("hn-hd-pl-vh.unit_clerk")
    token = auth.token()
    assert client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": token}).status_code in (403, 404)
    assert upload(client, dossier_id, "other").status_code in (403, 404)


def test_an_upload_refused_to_a_stranger_stores_no_file_and_one_accepted_is_stored(app, client, auth: Auth, tmp_path):
    from service.storage import FileStore

    store = app.extensions["thidua.files"] = FileStore(tmp_path / "files")
    auth.login("hn-hd-pl-tc.unit_clerk")
    dossier_id, url = create(client)
    auth.logout()
    auth.login("hn-hd-pl-vh.unit_clerk")
    assert upload(client, dossier_id, "other", data=sample_pdf("người lạ")).status_code in (403, 404)
    assert store.stored() == {}
    auth.logout()
    auth.login("hn-hd-pl-tc.unit_clerk")
    assert upload(client, dossier_id, "meeting_minutes", data=sample_pdf("biên bản")).status_code == 302
    (sha256,) = store.stored()
    assert store.read(sha256) == sample_pdf("biên bản") and "tệp.pdf" in client.get(url).get_data(as_text=True)


def test_a_typed_trich_ngang_completes_the_checklist_without_its_file(client, auth: Auth):
    auth.login("hn-hd-pl-tc.unit_clerk")
    dossier_id, url = create(client)
    page = client.get(url).get_data(as_text=True)
    nominee_id = re.search(r'<option value="(\d+)">Phạm Thị Lan</option>', page).group(1)
    for kind in ("meeting_minutes", "proposal_letter"):
        assert upload(client, dossier_id, kind).status_code == 302
    assert upload(client, dossier_id, "achievement_report", nominee_id).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Trích ngang thành tích — Phạm Thị Lan" in page and "Hồ sơ đã đủ tài liệu." not in page
    typed = client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary",
                        data={"summary": "Hoàn thành xuất sắc nhiệm vụ kế toán năm 2024.", "_csrf": csrf_from(page)})
    assert typed.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Hồ sơ đã đủ tài liệu." in page and "Trích ngang thành tích — Phạm Thị Lan" not in page
    # Emptied again, the trích ngang is missing again.
    client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary", data={"summary": "  ", "_csrf": csrf_from(page)})
    assert "Trích ngang thành tích — Phạm Thị Lan" in client.get(url).get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary",
                data={"summary": "Hoàn thành xuất sắc nhiệm vụ kế toán năm 2024.", "_csrf": csrf_from(page)})
    assert client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": csrf_from(page)}).status_code == 302
    assert "Đang xét duyệt" in client.get(url).get_data(as_text=True)
