"""The campaign dashboard: counts by unit and outcome, quota usage, overdue tasks, a chart."""

from __future__ import annotations


from tests.web.conftest import Auth


def test_dashboard_counts_units_quotas_and_overdue(client, auth: Auth, clock):
    clock.advance(days=15)  # the demo's ward review of 02/12/2024 is now overdue
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/PL-CCHC-2024/dashboard").get_data(as_text=True)
    assert 'data-testid="chart"' in page and "<rect" in page
    assert "Bộ phận Tư pháp - Hộ tịch" in page and "Bộ phận Văn hóa - Thông tin" in page
    assert 'data-rule="PL-TAP-THE"' in page and "tập thể: 0/5 (tối thiểu 3)" in page
    assert "Thẩm định hồ sơ (Văn phòng UBND phường/xã)" in page
    assert client.get("/campaigns/GD-CCHC-2024/dashboard").status_code == 404
