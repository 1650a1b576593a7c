"""An admin suspends a dossier's process, the official cannot act on it, the admin resumes and reassigns, the official decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import shot
from .journeys import create_and_submit, decide, login

pytestmark = pytest.mark.browser
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]
OFFICE = "qn-hl-gd.office_clerk"


def _open_instance_page(page, dossier_id: int, status: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/instances/?status={status}")
    row = page.locator("table[data-testid=instances] tr[data-instance]", has_text=f"(#{dossier_id})")
    row.locator("td a").first.click()
    page.wait_for_selector("[data-testid=instance-status]")


def test_suspend_hides_the_task_then_resume_reassign_and_complete(page, artifacts, tmp_path: Path):
    login(page, "qn-hl-gd-kp2.unit_clerk")
    dossier_id = create_and_submit(page, tmp_path, "Đề nghị Giấy khen – thử tạm dừng", "Trịnh Thị Thu Hà",
                                   "Giấy khen của Chủ tịch UBND phường Giếng Đáy", DOCS)  # fmt: skip

    login(page, "admin")
    _open_instance_page(page, dossier_id, "running")
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert page.locator(".djs-element.path-current[data-element-id=ward_office_review]").count() == 1
    task_id = page.locator("[data-testid=open-tasks] tr[data-task]").first.get_attribute("data-task")
    page.fill("#suspend-reason", "Chờ xác minh đơn phản ánh về cá nhân được đề nghị")
    page.locator("[data-testid=suspend-form] button").click()
    page.wait_for_selector("[data-testid=resume-form]")
    assert page.locator("[data-testid=instance-status]").inner_text() == "Đang tạm dừng"
    assert "Chờ xác minh đơn phản ánh" in page.locator("[data-testid=suspension]").inner_text()
    shot(page, artifacts, "50-admin-suspended")

    login(page, OFFICE)
    assert page.locator(f"tr[data-task-id] a[href='/dossiers/{dossier_id}']").count() == 0
    page.goto(f"/inbox/tasks/{task_id}")
    assert "Chờ xác minh đơn phản ánh" in page.locator("[data-testid=suspended]").inner_text()
    assert page.locator(f"form[action='/inbox/tasks/{task_id}/complete']").count() == 0
    assert page.locator(f"form[action='/inbox/tasks/{task_id}/claim']").count() == 0
    shot(page, artifacts, "51-official-sees-suspended")

    login(page, "admin")
    _open_instance_page(page, dossier_id, "suspended")
    page.locator("[data-testid=resume-form] button").click()
    page.wait_for_selector("[data-testid=suspend-form]")
    assert page.locator("[data-testid=instance-status]").inner_text() == "Đang chạy"
    form = page.locator(f"tr[data-task='{task_id}'] [data-testid=reassign-form]")
    option = form.locator("option", has_text=OFFICE)
    form.locator("select").select_option(value=option.get_attribute("value"))
    form.locator("input[name=comment]").fill("Giao cho người trực")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=instance-status]")
    assignee = page.locator(f"tr[data-task='{task_id}'] [data-testid=assignee]").inner_text()
    assert assignee != "Cả nhóm" and option.inner_text().startswith(f"{assignee} (")
    shot(page, artifacts, "52-admin-resumed-and-reassigned")

    login(page, OFFICE)
    decide(page, dossier_id, "Đạt", "Đủ hồ sơ")
    assert "Họp Hội đồng TĐKT, biểu quyết" in page.content()
    assert page.locator("[data-testid=suspended]").count() == 0
