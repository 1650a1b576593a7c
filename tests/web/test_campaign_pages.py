"""Campaign pages: everyone reads the rules; admins edit the campaign file; units register."""

from __future__ import annotations

from tests.web.conftest import Auth, csrf_from


def test_clerk_sees_the_plan_and_its_rules(client, auth: Auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    assert "PL-CCHC-2024" in client.get("/campaigns/").get_data(as_text=True)
    page = client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)
    assert 'data-rule="PL-TAP-THE"' in page and "09/12/2024" in page
    assert client.get("/campaigns/MT-CCHC-2015").status_code == 404  # another province's plan
    assert client.get("/campaigns/PL-CCHC-2024/edit").status_code == 403


def test_admin_edits_the_file_errors_change_nothing(client, auth: Auth):
    auth.login("admin")
    page = client.get("/campaigns/PL-CCHC-2024/edit").get_data(as_text=True)
    assert "PL-TAP-THE" in page
    token = csrf_from(page)
    broken = client.post("/campaigns/PL-CCHC-2024/edit", data={"_csrf": token, "text": "code: PL-CCHC-2024\nyear: x\n"})
    assert broken.status_code == 400 and "award_forms" in broken.get_data(as_text=True)
    text = client.get("/campaigns/PL-CCHC-2024/export.yaml").get_data(as_text=True).replace("max: 5", "max: 6")
    saved = client.post("/campaigns/PL-CCHC-2024/edit", data={"_csrf": token, "text": text})
    assert saved.status_code == 302
    assert "max: 6" in client.get("/campaigns/PL-CCHC-2024/export.yaml").get_data(as_text=True)


def test_unit_registers_in_a_campaign(client, auth: Auth):
    auth.login("hn-hd-pl-vh.unit_clerk")
    page = client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)
    assert "Đăng ký thi đua cho Bộ phận Văn hóa - Thông tin" in page
    unit_id = page.split('name="unit_id" value="')[1].split('"')[0]
    client.post("/campaigns/PL-CCHC-2024/register", data={"_csrf": csrf_from(page), "unit_id": unit_id})
    after = client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)
    assert "<li>Bộ phận Văn hóa - Thông tin</li>" in after
