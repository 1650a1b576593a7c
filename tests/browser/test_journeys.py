"""Officials in a real Chromium against a real server: a Bằng khen through every level, a return, a bulk approval."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.operations.demo import sample_pdf

from .conftest import shot
from .journeys import create_and_submit, decide, login, post_and_wait

pytestmark = pytest.mark.browser
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]
CHAIN = [("qn-hl-gd.office_clerk", "Đạt"), ("qn-hl-gd.council_secretary", "Thông qua"), ("qn-hl-gd.chairman", "Đồng ý"),
         ("qn-hl.noi_vu", "Đạt"), ("qn-hl.council_secretary", "Thông qua"), ("qn-hl.chairman", "Đồng ý"),
         ("qn.ban_tdkt", "Đạt"), ("qn.council_secretary", "Thông qua"), ("qn.chairman", "Đồng ý")]  # fmt: skip


def test_a_province_bang_khen_from_the_unit_to_the_province_chairman(page, artifacts, tmp_path: Path):
    login(page, "qn-hl-gd-kp1.unit_clerk")
    dossier_id = create_and_submit(page, tmp_path, "Đề nghị Bằng khen cho tổ trưởng tổ dân", "Đặng Thị Hồng Nhung",
                                   "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh Quảng Ninh", DOCS)  # fmt: skip
    assert page.locator("[data-testid=dossier-status]").inner_text() == "Đang xét duyệt"
    shot(page, artifacts, "01-unit-clerk-submitted")
    for number, (username, decision) in enumerate(CHAIN, start=2):
        login(page, username)
        decide(page, dossier_id, decision, "Đồng ý chuyển bước tiếp theo")
        if number in (2, 7):
            shot(page, artifacts, f"{number:02d}-{username}")
    assert page.locator("[data-testid=dossier-status]").inner_text() == "Được khen thưởng"
    assert "Được khen cấp tỉnh/thành phố" in page.content()
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert page.get_attribute("[data-testid=diagram]", "data-warnings") == "0"
    assert page.locator(".djs-element.path-done[data-element-id=province_chairman_decide]").count() == 1
    shot(page, artifacts, "11-granted-with-diagram")


def test_the_diagram_shows_the_path_and_the_current_step(page, artifacts):
    login(page, "qn-hl.noi_vu")  # the demo dossier of Khu phố 1 waits at the district's Phòng Nội vụ
    page.goto("/inbox/")
    page.locator("tr[data-task-id] a", has_text=re.compile("Xử lý")).first.click()
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert page.get_attribute("[data-testid=diagram]", "data-warnings") == "0"
    for task in ("unit_prepare", "ward_office_review", "province_chairman_decide"):
        assert page.locator(f".djs-element[data-element-id={task}]").count() == 1
    assert page.locator(".djs-element.path-done[data-element-id=ward_chairman_decide]").count() == 1
    assert page.locator(".djs-element.path-current[data-element-id=district_noi_vu_review]").count() == 1
    shot(page, artifacts, "20-task-with-diagram")


def test_return_for_supplement_round_trip(page, artifacts, tmp_path: Path):
    login(page, "qn-hl-gd-kp2.unit_clerk")
    dossier_id = create_and_submit(page, tmp_path, "Đề nghị Giấy khen phường", "Ngô Văn Bình",
                                   "Giấy khen của Chủ tịch UBND phường Giếng Đáy", DOCS)  # fmt: skip
    login(page, "qn-hl-gd.office_clerk")
    decide(page, dossier_id, "Trả lại bổ sung", "Báo cáo thành tích chưa có xác nhận của thủ trưởng")
    login(page, "qn-hl-gd-kp2.unit_clerk")
    page.goto(f"/dossiers/{dossier_id}")
    assert "Báo cáo thành tích chưa có xác nhận của thủ trưởng" in page.locator("[data-testid=return-reason]").inner_text()
    shot(page, artifacts, "30-returned-with-reason")
    report = tmp_path / "bao-cao-moi.pdf"
    report.write_bytes(sample_pdf("bao cao da xac nhan"))
    form = page.locator("[data-testid=upload-form]")
    form.locator("select[name=kind]").select_option("achievement_report")
    form.locator("select[name=nominee_id]").select_option(label="Ngô Văn Bình")
    form.locator("input[type=file]").set_input_files(str(report))
    post_and_wait(page, form.locator("button[type=submit]"))
    post_and_wait(page, page.locator("[data-testid=submit-form] button"))
    assert page.locator("[data-testid=dossier-status]").inner_text() == "Đang xét duyệt"


def test_bulk_approval_reports_each_task(page, artifacts, tmp_path: Path):
    login(page, "qn-hl-gd-vp.unit_clerk")
    ids = [create_and_submit(page, tmp_path, f"Hồ sơ số {n}", f"Người số {n}", "Giấy khen của Chủ tịch UBND phường Giếng Đáy", DOCS)
           for n in (1, 2)]  # fmt: skip
    login(page, "qn-hl-gd.office_clerk")
    page.goto("/inbox/")
    for dossier_id in ids:
        row = page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{dossier_id}']"))
        row.locator("input[name=task_id]").check()
    page.fill("#bulk-comment", "Đủ hồ sơ theo quy định")
    page.locator("[data-testid=bulk-form] button.primary").click()
    page.wait_for_url("**/inbox/")
    results = page.locator("[data-testid=bulk-result] li").all_inner_texts()
    assert len(results) == 2 and all("Đã ghi nhận" in r for r in results)
    shot(page, artifacts, "40-bulk-result")
