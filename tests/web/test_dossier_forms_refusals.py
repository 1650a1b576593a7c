"""A refused action on the dossier page comes back to the dossier page with the reason on top and what was
typed kept, instead of a bare error page that loses it; the refusal keeps its HTTP status."""

from __future__ import annotations

import re

from tests.web.conftest import Auth, csrf_from
from tests.web.test_dossier_forms_award_choices import select_of, selected
from tests.web.test_unit_clerk import create, upload

CLERK = "hn-hd-pl-tc.unit_clerk"


def flash_errors(page: str) -> list[str]:
    return re.findall(r'<div class="flash error">(.*?)</div>', page, re.S)


def nominee_of(page: str) -> str:
    return re.search(r'<option value="(\d+)">Phạm Thị Lan</option>', page).group(1)


def test_a_refused_upload_comes_back_to_the_dossier_page_with_the_choices_kept(client, auth: Auth):
    auth.login(CLERK)
    dossier_id, _ = create(client)
    nominee_id = nominee_of(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True))
    for data, name in ((b"Ghi chep cuoc hop, chi la van ban.", "biên bản.pdf"), (b"Bao cao thanh tich", "báo cáo.txt")):
        refused = upload(client, dossier_id, "achievement_report", nominee_id, data=data, name=name)
        shown = refused.get_data(as_text=True)
        assert refused.status_code == 400
        assert f"#{dossier_id}</h1>" in shown and 'data-testid="upload-form"' in shown
        (message,) = flash_errors(shown)
        assert "PDF" in message
        assert selected(select_of(shown, "kind")) == "achievement_report"
        assert selected(select_of(shown, "nominee_id")) == nominee_id
    # Nothing was attached.
    assert "Báo cáo thành tích — Phạm Thị Lan" in client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    # Someone who may not change the dossier still gets the error page, not the dossier's forms.
    auth.logout()
    auth.login("hn-hd-pl-vh.unit_clerk")
    stranger = upload(client, dossier_id, "other", data=b"plain text", name="x.txt")
    assert stranger.status_code in (403, 404) and 'data-testid="upload-form"' not in stranger.get_data(as_text=True)


def test_a_too_long_trich_ngang_is_shown_again_in_its_textarea(client, auth: Auth):
    auth.login(CLERK)
    dossier_id, url = create(client)
    page = client.get(url).get_data(as_text=True)
    nominee_id = nominee_of(page)
    typed = "Hoàn thành xuất sắc nhiệm vụ kế toán. " * 60  # about 2,300 characters; half a page is 1,800
    refused = client.post(f"/dossiers/{dossier_id}/nominees/{nominee_id}/summary",
                          data={"summary": typed, "_csrf": csrf_from(page)})  # fmt: skip
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400
    (message,) = flash_errors(shown)
    assert "nửa trang" in message
    area = re.search(rf'<textarea id="summary-{nominee_id}"[^>]*>(.*?)</textarea>', shown, re.S).group(1)
    assert area == typed
    # Nothing was saved: the page read afresh shows the stored (empty) trích ngang.
    fresh = client.get(url).get_data(as_text=True)
    assert re.search(rf'<textarea id="summary-{nominee_id}"[^>]*></textarea>', fresh)


def test_a_refused_nominee_keeps_what_was_typed_in_the_add_form(client, auth: Auth):
    auth.login(CLERK)
    dossier_id, url = create(client)
    page = client.get(url).get_data(as_text=True)
    refused = client.post(f"/dossiers/{dossier_id}/nominees", data={
        "_csrf": csrf_from(page), "kind": "collective", "full_name": "Bộ phận Văn hóa - Thông tin",
        "position": "", "award_form": "KHONG-CO", "summary": "Tập thể hoàn thành xuất sắc nhiệm vụ."})  # fmt: skip
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "KHONG-CO" in flash_errors(shown)[0]
    editor = re.search(r'data-testid="nominee-editor">(.*)', shown, re.S).group(1)
    assert 'name="full_name" value="Bộ phận Văn hóa - Thông tin"' in editor
    assert '<option value="collective" selected>' in editor
    assert re.search(r'id="new-summary"[^>]*>Tập thể hoàn thành xuất sắc nhiệm vụ\.</textarea>', editor)

