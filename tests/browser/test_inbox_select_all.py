"""The inbox's header box ticks every task shown for bulk approval, and shows itself half-ticked for some."""

from __future__ import annotations

from pathlib import Path

import pytest

from .journeys import create_and_submit, login

pytestmark = pytest.mark.browser
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]


def test_select_all_ticks_and_clears_every_task_shown(page, tmp_path: Path):  # type: ignore[no-untyped-def]
    login(page, "qn-hl-gd-vp.unit_clerk")
    for n in (1, 2):
        create_and_submit(page, tmp_path, f"Hồ sơ chọn tất cả {n}", f"Người số {n}",
                          "Giấy khen của Chủ tịch UBND phường Giếng Đáy", DOCS)  # fmt: skip
    login(page, "qn-hl-gd.office_clerk")
    page.goto("/inbox/")
    boxes = page.locator("[data-testid=bulk-form] tbody input[name=task_id]")
    header = page.get_by_label("Chọn tất cả việc đang hiển thị")
    assert boxes.count() >= 2 and not header.is_checked()
    header.check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    boxes.first.uncheck()
    assert not header.is_checked() and header.evaluate("e => e.indeterminate") is True
    header.check()  # ticks the rest again
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    header.uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
