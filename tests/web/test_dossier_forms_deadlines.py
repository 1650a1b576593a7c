"""A campaign whose submission deadline has passed says so on the forms, before the clerk prepares a dossier
in vain: marked (and not pre-selected) on the new-dossier form, and "Nộp hồ sơ" disabled with the reason."""

from __future__ import annotations

import re

from tests.web.conftest import Auth, csrf_from
from tests.web.test_dossier_forms_award_choices import options, select_of, selected
from tests.web.test_unit_clerk import create, upload

CLERK = "hn-hd-pl-tc.unit_clerk"


def submit_button(page: str) -> str:
    form = re.search(r'data-testid="submit-form">(.*?)</form>', page, re.S).group(1)
    return re.search(r"<button[^>]*>", form).group(0)


def ready_to_submit(client) -> tuple[int, str]:
    """A PL-CCHC-2024 dossier with every document its checklist asks for."""
    dossier_id, url = create(client)
    page = client.get(url).get_data(as_text=True)
    nominee_id = re.search(r'<option value="(\d+)">Phạm Thị Lan</option>', page).group(1)
    for kind in ("meeting_minutes", "proposal_letter"):
        assert upload(client, dossier_id, kind).status_code == 302
    for kind in ("achievement_report", "summary_sheet"):
        assert upload(client, dossier_id, kind, nominee_id).status_code == 302
    return dossier_id, url


def test_a_campaign_past_its_deadline_is_marked_and_not_preselected(client, auth: Auth, clock):
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    assert "đã hết hạn nộp" not in page and selected(select_of(page, "campaign")) == "PL-CCHC-2024"

    clock.advance(days=9)  # 10/12/2024 in Vietnam: Phú Lãm's plan received dossiers through 09/12
    page = client.get("/dossiers/new").get_data(as_text=True)
    campaigns = dict(options(select_of(page, "campaign")))
    assert campaigns["PL-CCHC-2024"].endswith("(đã hết hạn nộp 09/12/2024)")
    assert "hết hạn" not in campaigns["TEST-PL-ALL"]  # its ward deadline is 10/12, today
    assert selected(select_of(page, "campaign")) == "TEST-PL-ALL"
    assert len(options(select_of(page, "award_0"))) == 3  # the rows offer the selected campaign's forms

    clock.advance(days=1)  # every campaign of the unit closed: none is chosen for the clerk
    page = client.get("/dossiers/new").get_data(as_text=True)
    assert selected(select_of(page, "campaign")) == ""
    assert "(đã hết hạn nộp 10/12/2024)" in dict(options(select_of(page, "campaign")))["TEST-PL-ALL"]


def test_a_late_draft_says_so_next_to_a_disabled_submit_button(client, auth: Auth, clock):
    auth.login(CLERK)
    dossier_id, url = ready_to_submit(client)
    page = client.get(url).get_data(as_text=True)
    assert "Hồ sơ đã đủ tài liệu." in page and "disabled" not in submit_button(page)
    assert 'data-testid="submit-closed"' not in page

    clock.advance(days=9)
    page = client.get(url).get_data(as_text=True)
    warning = re.search(r'data-testid="submit-closed">(.*?)</p>', page, re.S).group(1)
    assert "09/12/2024" in warning and "quá hạn" in warning
    button = submit_button(page)
    assert "disabled" in button and 'aria-describedby="submit-closed"' in button and "09/12/2024" in button

    # Sent anyway (a page opened before midnight): the dossier page again, the reason on top, nothing submitted.
    late = client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": csrf_from(page)})
    shown = late.get_data(as_text=True)
    assert late.status_code == 422 and 'data-testid="submit-form"' in shown
    assert re.search(r'<div class="flash error">[^<]*09/12/2024', shown)
    assert "Đang lập" in client.get(url).get_data(as_text=True)


def test_a_returned_dossier_past_the_deadline_is_warned_too(client, auth: Auth, clock):
    auth.login(CLERK)
    dossier_id, url = ready_to_submit(client)
    assert client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": auth.token(url)}).status_code == 302
    auth.logout()
    auth.login("hn-hd-pl.office_clerk")
    inbox = client.get("/inbox/").get_data(as_text=True)
    rows = re.findall(r'data-task-id="(\d+)">(.*?)</tr>', inbox, re.S)
    (task_id,) = [tid for tid, cells in rows if f'href="/dossiers/{dossier_id}"' in cells]
    task_page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "return", "comment": "Bổ sung trích ngang",
                                                          "_csrf": csrf_from(task_page)})  # fmt: skip
    auth.logout()

    clock.advance(days=9)
    auth.login(CLERK)
    page = client.get(url).get_data(as_text=True)
    assert "Bổ sung trích ngang" in page and 'data-testid="submit-closed"' in page
    assert "disabled" in submit_button(page)
