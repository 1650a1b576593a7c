"""On the new-dossier form the nominee rows follow the campaign select: each campaign's own award forms."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from .conftest import THIDUA, serve
from .journeys import login

pytestmark = pytest.mark.browser

# A second plan of phường Phú Lãm, open (no deadline), offering two forms under its own names.
OPEN_PLAN = textwrap.dedent("""\
    code: PL-THU-2026
    title: Phong trào thử chuyển hình thức khen thưởng
    year: 2026
    issuing_unit: HN-HD-PL
    process: commendation_chain
    award_forms:
      - {code: GK-XA, name: Giấy khen của Chủ tịch UBND phường Phú Lãm (đợt thử), granting_level: ward}
      - {code: GK-HUYEN, name: Giấy khen của Chủ tịch UBND quận Hà Đông (đợt thử), granting_level: district}
""")


def labels(page, row: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [text.strip() for text in page.locator(f"select[name=award_{row}] option").all_inner_texts()]


def test_the_rows_offer_the_award_forms_of_the_campaign_chosen(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    with serve(tmp_path / "server") as base:
        plan = tmp_path / "plan.yaml"
        plan.write_text(OPEN_PLAN, encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'server' / 'thidua.sqlite3'}",
               "THIDUA_INSTANCE_DIR": str(tmp_path / "server"), "THIDUA_SECRET_KEY": "browser-tests"}  # fmt: skip
        subprocess.run([str(THIDUA), "campaign", "import", str(plan)], env=env, check=True, capture_output=True,
                       timeout=120)  # fmt: skip
        context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base, locale="vi-VN")
        context.set_default_timeout(60_000)
        page = context.new_page()
        try:
            login(page, "hn-hd-pl-tc.unit_clerk")
            page.goto("/dossiers/new")
            # PL-CCHC-2024's deadline (09/12/2024) is long past: marked, and the open plan is chosen instead.
            assert page.locator("#campaign").input_value() == "PL-THU-2026"
            assert "đã hết hạn nộp 09/12/2024" in page.locator("#campaign option[value=PL-CCHC-2024]").inner_text()
            assert labels(page, 0) == ["Giấy khen của Chủ tịch UBND phường Phú Lãm (đợt thử)",
                                       "Giấy khen của Chủ tịch UBND quận Hà Đông (đợt thử)"]  # fmt: skip
            page.select_option("select[name=award_1]", "GK-HUYEN")

            page.select_option("#campaign", "PL-CCHC-2024")
            for row in range(4):
                assert labels(page, row) == ["Giấy khen của Chủ tịch UBND phường Phú Lãm"]

            page.select_option("#campaign", "PL-THU-2026")
            assert len(labels(page, 3)) == 2
            # Sent as switched: the server accepts the rows the script filled in.
            page.fill("#title", "Đề nghị khen thưởng đợt thử")
            page.select_option("select[name=kind_0]", "collective")
            page.fill("input[name=name_0]", "Bộ phận Tài chính - Kế toán")
            page.select_option("select[name=award_0]", "GK-HUYEN")
            page.click("button.primary")
            page.wait_for_url("**/dossiers/*")
            assert "Giấy khen của Chủ tịch UBND quận Hà Đông (đợt thử)" in page.locator(
                "select[name=award_form]").inner_text()  # fmt: skip
        finally:
            context.close()
