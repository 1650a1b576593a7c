"""What a screen-reader or keyboard user meets: every field has a name that says which row or nominee it is for,
the decision radios are a named group, a refusal is announced and takes the focus, and a skip link comes first.

The names are the ones Chromium's accessibility tree computes (Playwright's accessible-name matching and an
aria snapshot), not attributes read from the HTML. Runs on its own server: it moves two dossiers to the ward
council, and the other browser tests count what their inboxes hold."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import serve
from .journeys import create_and_submit, decide, login

pytestmark = pytest.mark.browser
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]
GIAY_KHEN = "Giấy khen của Chủ tịch UBND phường Giếng Đáy"
# (unit clerk, dossier title, nominee): two dossiers of one campaign at the same step make a batch.
DOSSIERS = [("qn-hl-gd-kp1.unit_clerk", "Đề nghị Giấy khen – tổ dân phố số 3", "Đặng Thị Hồng Nhung"),
            ("qn-hl-gd-kp2.unit_clerk", "Đề nghị Giấy khen – tổ bảo vệ", "Ngô Văn Bình")]  # fmt: skip
COUNCIL = "qn-hl-gd.council_secretary"
COLUMNS = [("kind", "Loại"), ("name", "Tên tập thể / cá nhân"), ("position", "Chức vụ"), ("award", "Hình thức đề nghị")]
SKIP = "Chuyển đến nội dung chính"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with serve(tmp_path_factory.mktemp("a11y-server")) as base:
        yield base


@pytest.fixture(scope="module")
def at_council(browser, server, tmp_path_factory) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The two dossiers, submitted and passed by the ward's Văn phòng: nominee → dossier id, at the ward council."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server, locale="vi-VN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    folder = tmp_path_factory.mktemp("a11y-files")
    try:
        ids = {}
        for clerk, title, nominee in DOSSIERS:
            login(page, clerk)
            ids[nominee] = create_and_submit(page, folder, title, nominee, GIAY_KHEN, DOCS)
        login(page, "qn-hl-gd.office_clerk")
        for dossier_id in ids.values():
            decide(page, dossier_id, "Đạt")
    finally:
        context.close()
    return ids


def _focused_alert(page, text: str) -> None:  # type: ignore[no-untyped-def]
    """The page's message is an alert (read out), holds `text`, and has the keyboard focus."""
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(text)
    expect(alert).to_be_focused()


def _open_task(page, dossier_id: int) -> None:  # type: ignore[no-untyped-def]
    page.goto("/inbox/")
    row = page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{dossier_id}']"))
    row.locator("a", has_text=re.compile("Xử lý")).click()
    page.wait_for_selector("form[action$='/complete']")


def _nominee_fields_are_named(page, nominee_id: str, name: str) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator(f"select[name=nominee_{nominee_id}]")).to_have_accessible_name(f"Quyết định cho {name}")
    expect(page.locator(f"input[name=votes_for_{nominee_id}]")).to_have_accessible_name(f"Số phiếu đồng ý — {name}")
    expect(page.locator(f"input[name=votes_against_{nominee_id}]")).to_have_accessible_name(
        f"Số phiếu không đồng ý — {name}")  # fmt: skip
    expect(page.locator(f"input[name=reason_{nominee_id}]")).to_have_accessible_name(f"Ý kiến / lý do — {name}")
    # Found by that name, as a screen reader's form list finds it, it is this nominee's field.
    decision = page.get_by_role("combobox", name=f"Quyết định cho {name}", exact=True)
    expect(decision).to_have_attribute("name", f"nominee_{nominee_id}")


def test_the_new_dossier_rows_name_each_field_with_its_column_and_row(page):  # type: ignore[no-untyped-def]
    login(page, "qn-hl-gd-kp1.unit_clerk")
    page.goto("/dossiers/new")
    for i in range(4):
        for field, header in COLUMNS:
            expect(page.locator(f"[name={field}_{i}]")).to_have_accessible_name(f"{header} — dòng {i + 1}")
    role = {"kind": "combobox", "name": "textbox", "position": "textbox", "award": "combobox"}
    for field, header in COLUMNS:
        found = page.get_by_role(role[field], name=f"{header} — dòng 3", exact=True)
        expect(found).to_have_attribute("name", f"{field}_2")
    # In Chromium's own accessibility tree too (what a screen reader is given).
    assert 'textbox "Tên tập thể / cá nhân — dòng 4"' in page.locator("table").aria_snapshot()
    page.goto("/dossiers/new?lang=en")
    expect(page.locator("[name=position_1]")).to_have_accessible_name("Position — row 2")


def test_a_refused_new_dossier_puts_the_focus_on_the_announced_refusal(page):  # type: ignore[no-untyped-def]
    login(page, "qn-hl-gd-kp1.unit_clerk")
    page.goto("/dossiers/new")
    page.select_option("#campaign", "GD-CCHC-2024")
    page.fill("#title", "Hồ sơ chưa có người được đề nghị")
    with page.expect_navigation():
        page.click("button.primary")
    expect(page.locator("[data-testid=form-error]")).to_have_attribute("role", "alert")
    _focused_alert(page, page.locator("[data-testid=form-error]").inner_text())


def test_a_refused_sign_in_is_announced_and_focused(page):  # type: ignore[no-untyped-def]
    page.goto("/auth/login")
    page.fill("#username", "qn-hl-gd-kp1.unit_clerk")
    page.fill("#password", "not-the-password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    _focused_alert(page, "Sai tên đăng nhập hoặc mật khẩu.")  # a flashed message (base.html)


def test_a_confirmation_is_a_status_message_and_leaves_the_focus_alone(page):  # type: ignore[no-untyped-def]
    login(page, "qn-hl-gd.office_clerk")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu bộ lọc").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu bộ lọc.")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_first_tab_reaches_a_visible_skip_link_to_the_main_content(page):  # type: ignore[no-untyped-def]
    login(page, "qn-hl-gd.office_clerk")
    page.goto("/inbox/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=SKIP, exact=True)
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0 and box["width"] > 20 and box["height"] > 10  # shown on focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')"), "the skip link did not lead into <main>"


def test_the_inbox_checkboxes_say_which_dossier_and_step(page, at_council):  # type: ignore[no-untyped-def]
    login(page, COUNCIL)
    page.goto("/inbox/")
    for dossier_id in at_council.values():
        row = page.locator("tr[data-task-id]", has=page.locator(f"a[href='/dossiers/{dossier_id}']"))
        title = row.locator(f"a[href='/dossiers/{dossier_id}']").inner_text().strip()
        step, unit = (row.locator(f"td:nth-child({n})").inner_text().strip() for n in (2, 4))
        box = row.get_by_role("checkbox")
        for shown in (title, unit, step):
            expect(box).to_have_accessible_name(re.compile(re.escape(shown)))
        expect(page.get_by_role("checkbox", name=re.compile(re.escape(title)))).to_have_count(1)


def test_the_task_page_names_the_nominees_fields_and_groups_decisions(page, at_council):  # type: ignore[no-untyped-def]
    login(page, COUNCIL)
    nominee = DOSSIERS[0][2]
    _open_task(page, at_council[nominee])
    group = page.get_by_role("group", name="Quyết định", exact=True)
    expect(group).to_have_count(1)
    expect(group.get_by_role("radio")).to_have_count(page.locator("input[type=radio][name=decision]").count())
    expect(group.get_by_role("radio", name="Thông qua", exact=True)).to_have_count(1)
    [nominee_id] = [row.get_attribute("data-nominee") for row in page.locator("tr[data-nominee]").all()]
    _nominee_fields_are_named(page, nominee_id, nominee)

    # A refused decision (a vote count that is not a number): the refusal is read out and has the focus.
    group.get_by_role("radio", name="Thông qua", exact=True).check()
    page.get_by_role("textbox", name=f"Số phiếu đồng ý — {nominee}", exact=True).fill("năm")
    with page.expect_navigation():
        page.locator("form[action$='/complete'] button.primary").click()
    _focused_alert(page, "Số phiếu và số thành viên phải là số nguyên không âm.")
    expect(page.locator("[data-testid=task-error]")).to_be_focused()


def test_the_batch_page_names_the_nominees_fields_and_the_checkboxes(page, at_council):  # type: ignore[no-untyped-def]
    login(page, COUNCIL)
    page.goto("/inbox/")
    with page.expect_navigation():
        page.locator("[data-testid=batches] a").first.click()
    form = page.locator("[data-testid=batch-form]")
    for _clerk, title, nominee in DOSSIERS:
        nominee_id = form.locator("tr[data-nominee]", has_text=nominee).get_attribute("data-nominee")
        _nominee_fields_are_named(page, nominee_id, nominee)
        row = form.locator("tr[data-nominee]", has_text=nominee)
        unit = row.locator("td:nth-child(2) a").inner_text().strip()
        box = row.get_by_role("checkbox")
        expect(box).to_have_accessible_name(re.compile(re.escape(title)))
        expect(box).to_have_accessible_name(re.compile(re.escape(unit)))
