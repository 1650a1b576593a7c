"""What officials do in the browser, step by step (shared by the journey tests)."""

from __future__ import annotations

import re
from pathlib import Path

from service.operations.demo import sample_pdf


def login(page, username: str, password: str = "demo") -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()  # a fresh session, as when another official sits down
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_response(lambda r: r.url.endswith("/auth/login") and r.request.method == "POST") as posted:
        page.click("button[type=submit]")
    status = posted.value.status
    if status != 302:
        page.wait_for_load_state()
        raise AssertionError(f"login as {username} answered {status}: {page.locator('body').inner_text()[:400]}")
    page.wait_for_url("**/inbox/")


def create_and_submit(page, tmp: Path, title: str, nominee: str, award_label: str, kinds: list[str]) -> int:  # type: ignore[no-untyped-def]
    page.goto("/dossiers/new")
    page.select_option("#campaign", "GD-CCHC-2024")
    page.fill("#title", title)
    page.fill("input[name=name_0]", nominee)
    page.select_option("select[name=award_0]", label=award_label)
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/dossiers/\d+$"))
    dossier_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    for kind in kinds:
        file = tmp / f"{kind}.pdf"
        file.write_bytes(sample_pdf(kind))
        form = page.locator("[data-testid=upload-form]")
        form.locator("select[name=kind]").select_option(kind)
        if kind == "achievement_report":
            form.locator("select[name=nominee_id]").select_option(label=nominee)
        form.locator("input[type=file]").set_input_files(str(file))
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    page.locator("[data-testid=submit-form] button").click()
    page.wait_for_load_state()
    return dossier_id


def decide(page, dossier_id: int, decision_label: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the inbox, find this dossier's task, choose the decision and record it."""
    page.goto("/inbox/")
    row = page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{dossier_id}']"))
    row.locator("a", has_text=re.compile("Xử lý")).click()
    page.get_by_label(decision_label, exact=True).check()
    for box in page.locator("input[name=confirm]").all():
        box.check()
    if comment:
        page.fill("#comment", comment)
    page.locator("form.stack button.primary").click()
    page.wait_for_url(f"**/dossiers/{dossier_id}")


def decide_in_turn(page, dossier_id: int, steps: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Each (username, decision label) in order: that official signs in and records the decision."""
    for username, decision in steps:
        login(page, username)
        decide(page, dossier_id, decision)
