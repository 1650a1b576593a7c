"""The migration form in Chromium: it opens on the versions to migrate between (the oldest still running → the
newest), previews, and the migration asks first (data-confirm): dismissed, nothing moves; accepted, it runs.

Runs on its own server: it deploys a second process version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level

from .conftest import serve
from .journeys import login

pytestmark = pytest.mark.browser


def test_migrating_asks_first(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    with serve(tmp_path / "server") as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base, locale="vi-VN")
        context.set_default_timeout(60_000)
        page = context.new_page()
        try:
            login(page, "admin")
            page.goto("/processes/new")
            csrf = page.get_attribute("[data-testid=modeler]", "data-csrf")
            reroute = {"district_noi_vu_review": "province_ban_review",
                       "district_chairman_decide": "ward_chairman_decide"}  # fmt: skip
            xml = remove_level(CHAIN.read_bytes(), "district", reroute)
            headers = {"X-CSRF-Token": csrf or "", "Content-Type": "application/json"}
            deployed = page.request.post("/processes/deploy", headers=headers,
                                         data=json.dumps({"xml": xml.decode(), "comment": "Bỏ cấp huyện"}),
                                         fail_on_status_code=False)  # fmt: skip
            assert deployed.ok, deployed.text()
            new_version = deployed.json()["version_id"]

            page.goto("/instances/migrate")
            assert page.locator("select[name=to_version]").input_value() == str(new_version)
            assert page.locator("select[name=from_version]").input_value() != str(new_version)
            page.get_by_role("button", name="Xem trước (không thay đổi gì)").click()
            page.wait_for_selector("[data-testid=migration-lines]")
            movable = page.locator("tr[data-can=yes]").count()
            assert movable > 0

            asked: list[str] = []

            def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
                asked.append(dialog.message)
                dialog.dismiss()

            page.once("dialog", dismiss)
            page.get_by_role("button", name="Chuyển các hồ sơ chuyển được").click()
            page.wait_for_timeout(500)  # a form that were sent would be on its way by now
            assert len(asked) == 1 and asked[0].startswith(f"Chuyển {movable} hồ sơ từ ")
            assert "Kết quả chuyển" not in page.content()

            page.once("dialog", lambda dialog: dialog.accept())
            with page.expect_navigation():
                page.get_by_role("button", name="Chuyển các hồ sơ chuyển được").click()
            assert "Kết quả chuyển" in page.content()
        finally:
            context.close()
