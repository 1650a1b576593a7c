"""The campaign page offers a chairman a tờ trình upward only below the province (nothing is above it), names the
unit with its kind in lower case mid-sentence, and the audit CSV declares its charset once."""

from __future__ import annotations

import html

from tests.web.conftest import Auth


def test_no_tờ_trình_upward_at_the_province_and_the_unit_named_mid_sentence(client, auth: Auth):  # type: ignore[no-untyped-def]
    auth.login("qn.chairman")
    page = html.unescape(client.get("/campaigns/GD-CCHC-2024?lang=vi").get_data(as_text=True))
    assert "Ra quyết định khen thưởng của tỉnh Quảng Ninh" in page
    assert 'data-testid="forwarding"' not in page and "Tờ trình lên cấp trên của" not in page
    auth.logout()
    auth.login("qn-hl-gd.chairman")
    ward = html.unescape(client.get("/campaigns/GD-CCHC-2024").get_data(as_text=True))
    assert "Tờ trình lên cấp trên của phường Giếng Đáy" in ward


def test_the_audit_csv_names_its_charset_once(client, auth: Auth):  # type: ignore[no-untyped-def]
    auth.login("auditor")
    response = client.get("/audit/export.csv?action=task.complete")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
