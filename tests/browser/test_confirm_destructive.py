"""A destructive click asks first (data-confirm, service/static/confirm.js): dismissing the question leaves the
nominee in the dossier, accepting it deletes the nominee. The question is in the page's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import serve
from .journeys import login

pytestmark = pytest.mark.browser
NAME = "Phạm Thị Xác Nhận"


def test_deleting_a_nominee_asks_first(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    with serve(tmp_path / "server") as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base, locale="vi-VN")
        context.set_default_timeout(60_000)
        page = context.new_page()
        try:
            login(page, "hn-hd-pl-tp.unit_clerk")
            page.goto("/dossiers/1")  # the demo's draft of Bộ phận Tư pháp - Hộ tịch
            editor = page.get_by_test_id("nominee-editor")
            editor.locator("input[name=full_name]").fill(NAME)
            with page.expect_navigation():
                editor.get_by_role("button", name="Thêm người được đề nghị").click()
            delete = page.get_by_role("button", name=f"Xóa {NAME}")
            assert delete.count() == 1

            asked: list[str] = []

            def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
                asked.append(dialog.message)
                dialog.dismiss()

            page.once("dialog", dismiss)
            delete.click()
            page.wait_for_timeout(500)  # a form that were sent would be on its way by now
            assert asked == [f"Xóa {NAME} khỏi hồ sơ? Việc này không hoàn tác được."]
            page.reload()
            assert page.get_by_role("button", name=f"Xóa {NAME}").count() == 1  # still in the dossier

            page.goto("/dossiers/1?lang=en")
            page.once("dialog", dismiss)
            page.get_by_role("button", name=f"Remove {NAME}").click()
            page.wait_for_timeout(300)
            assert asked[-1] == f"Remove {NAME} from the dossier? This cannot be undone."

            page.goto("/dossiers/1?lang=vi")
            page.once("dialog", lambda dialog: dialog.accept())
            with page.expect_navigation():
                page.get_by_role("button", name=f"Xóa {NAME}").click()
            assert page.get_by_role("button", name=f"Xóa {NAME}").count() == 0
            assert NAME not in page.get_by_test_id("nominee-editor").inner_text()
        finally:
            context.close()
