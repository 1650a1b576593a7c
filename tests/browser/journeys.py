"""What officials do in the browser, step by step (shared by the journey tests)."""

from __future__ import annotations

import re
from pathlib import Path

from service.operations.demo import sample_pdf


def login(page, username: str, password: str = "demo") -> None:  # type: ignore[no-untyped-def]
    # Leave the previous page first: a request of it still in flight could otherwise answer after the
    # cookies are cleared and put the previous official's session back (the login form's CSRF token
    # then belongs to another session and the login answers 400).
    page.goto("about:blank")
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
    # Officials land on their inbox; an auditor or an admin holding no task role on the page of their work.
    page.wait_for_url(lambda url: "/auth/login" not in url and url != "about:blank")


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
        post_and_wait(page, form.locator("button[type=submit]"))
    post_and_wait(page, page.locator("[data-testid=submit-form] button"))
    return dossier_id


def post_and_wait(page, button) -> None:  # type: ignore[no-untyped-def]
    """Click a button that posts its form and wait until the page the answer leads to has loaded.

    A click returns once the click is dispatched; waiting for the load state right after it can see
    the old page, still loaded, and move on while the post is in flight."""
    with page.expect_navigation():
        button.click()


def decide(page, dossier_id: int, decision_label: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the inbox, find this dossier's task, choose the decision and record it; back on the inbox, follow the
    message's link to the dossier."""
    page.goto("/inbox/")
    row = page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{dossier_id}']"))
    row.locator("a", has_text=re.compile("Xử lý")).click()
    page.get_by_label(decision_label, exact=True).check()
    for box in page.locator("input[name=confirm]").all():
        box.check()
    if comment:
        page.fill("#comment", comment)
    page.locator("form.stack button.primary").click()
    page.wait_for_url("**/inbox/")
    page.locator(f"a[data-testid=decided-dossier][href='/dossiers/{dossier_id}']").click()
    page.wait_for_url(f"**/dossiers/{dossier_id}")


def decide_in_turn(page, dossier_id: int, steps: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Each (username, decision label) in order: that official signs in and records the decision."""
    for username, decision in steps:
        login(page, username)
        decide(page, dossier_id, decision)
