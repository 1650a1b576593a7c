"""Auditors search the trail page by page and export it as CSV that Excel reads in Vietnamese."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from service.models import AuditEvent, HumanTask, OrgUnit, ProcessInstance
from service.operations.audit import record_event, verify_chain
from service.queries.audit import PAGE_SIZE, audit_rows, read_filter
from service.web.audit import CSV_HEADER
from tests.web.conftest import Auth


def add_events(app, count: int, dossier_id: int = 2) -> None:
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        for number in range(count):
            record_event(session, action="dossier.edit", object_type="dossier", object_id=str(dossier_id),
                         actor_role="unit_clerk", comment=f"Ghi chú số {number}")  # fmt: skip


def test_only_auditors_and_admins_see_the_trail(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    assert client.get("/audit/").status_code == 403
    assert "Nhật ký kiểm toán" not in client.get("/inbox/").get_data(as_text=True)
    auth.logout()
    auth.login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert page.count("data-event-id=") > 0 and "Nhật ký kiểm toán" in page


def test_pages_follow_each_other_without_gaps_or_repeats(app, client, auth: Auth):
    add_events(app, 120)
    auth.login("auditor")
    seen, url = [], "/audit/?action=dossier.edit"
    while url:
        page = client.get(url).get_data(as_text=True)
        ids = [int(x) for x in __import__("re").findall(r'data-event-id="(\d+)"', page)]
        seen += ids
        nxt = __import__("re").search(r'href="([^"]+)" data-testid="next-page"', page)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert len(seen) == 120 and len(set(seen)) == 120 and seen == sorted(seen, reverse=True)


# A Vietnamese day no seeded event falls on (10:00 there), for the date window's own query path.
PAGE_DAY = datetime(2031, 5, 4, 3, 0, tzinfo=UTC)
# Every event _fill_to adds matches each of these: none, the column filters, the date window, all together.
PAGING_FILTERS = ["", "action=dossier.edit", "dossier_id=4&action=dossier.edit",
                  "date_from=2031-05-04&date_to=2031-05-04",
                  "date_from=2031-05-04&date_to=2031-05-04&dossier_id=4&action=dossier.edit"]  # fmt: skip


def _fill_to(app, query: str, total: int) -> list[int]:
    """Add events (dossier 4's, on PAGE_DAY) until exactly `total` match the query; the ids matching, oldest first."""
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        filters, problems = read_filter(session, dict(parse_qsl(query)))
        assert problems == []
        present = sum(1 for _ in audit_rows(session, filters))
        assert present <= total, "the seeded trail already holds more events than the test wants"
        for number in range(total - present):
            record_event(session, action="dossier.edit", object_type="dossier", object_id="4", dossier_id=4,
                         actor_role="unit_clerk", comment=f"Sửa hồ sơ lần {number}",
                         now=PAGE_DAY + timedelta(minutes=number))  # fmt: skip
    with factory() as session:
        matching = [row.event.id for row in audit_rows(session, filters)]
    assert len(matching) == total
    return matching


def _shown(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-event-id="(\d+)"', page)]


def _next_link(page: str) -> str | None:
    found = re.search(r'href="([^"]+)" data-testid="next-page"', page)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("query", PAGING_FILTERS)
def test_a_full_last_page_has_no_link_to_an_empty_one(app, client, auth: Auth, query):
    auth.login("auditor")  # first: the login writes events, and the unfiltered page counts them
    matching = _fill_to(app, query, PAGE_SIZE)
    page = client.get(f"/audit/?{query}").get_data(as_text=True)
    assert _shown(page) == matching[::-1]
    assert _next_link(page) is None


@pytest.mark.parametrize("query", PAGING_FILTERS)
def test_one_event_more_than_a_page_is_on_the_next_page_alone(app, client, auth: Auth, query):
    auth.login("auditor")
    matching = _fill_to(app, query, PAGE_SIZE + 1)
    first = client.get(f"/audit/?{query}").get_data(as_text=True)
    assert _shown(first) == matching[:0:-1]  # the newest PAGE_SIZE
    link = _next_link(first)
    assert link is not None
    # The link keeps the filters and starts below the page's last event.
    assert parse_qs(urlsplit(link).query) == {**parse_qs(query), "before": [str(matching[1])]}
    second = client.get(link).get_data(as_text=True)
    assert _shown(second) == [matching[0]]
    assert _next_link(second) is None


def test_a_cursor_too_long_for_an_id_shows_the_newest_page(client, auth: Auth):
    auth.login("auditor")
    newest = _shown(client.get("/audit/").get_data(as_text=True))
    response = client.get("/audit/?before=" + "9" * 30)  # typed or cut into the address: no 500
    assert response.status_code == 200 and _shown(response.get_data(as_text=True)) == newest


def test_filter_by_dossier_and_actor(app, client, auth: Auth):
    add_events(app, 3, dossier_id=4)
    auth.login("auditor")
    page = client.get("/audit/?dossier_id=4&action=dossier.edit").get_data(as_text=True)
    assert page.count("data-event-id=") == 3
    assert client.get("/audit/?actor=nobody").get_data(as_text=True).count("data-event-id=") == 0


def test_csv_export_has_a_bom_vietnamese_headers_and_is_itself_audited(app, client, auth: Auth):
    add_events(app, 5)
    auth.login("auditor")
    response = client.get("/audit/export.csv?action=dossier.edit")
    body = response.get_data()
    assert response.mimetype == "text/csv" and body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã sự kiện", "Thời điểm (giờ Việt Nam)", "Người thực hiện"]
    assert [r[12] for r in rows[1:]] == [f"Ghi chú số {n}" for n in range(5)]
    # Role, action and object type are stored as codes (schema 0024) and exported as their texts.
    assert {(r[4], r[6], r[7], r[8]) for r in rows[1:]} == {("unit_clerk", "dossier.edit", "dossier", "2")}
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "audit.export")) == 1


def test_the_action_list_is_by_name_and_an_unknown_action_is_said(app, client, auth: Auth):
    add_events(app, 2)
    auth.login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    listed = re.findall(r'<option value="([a-z_.]+)"', page)
    assert "dossier.edit" in listed and "task.complete" in listed and listed == sorted(listed)
    response = client.get("/audit/?action=no.such")  # typed into the address: it has no code
    said = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and said.count("data-event-id=") == 0 and "“no.such”" in said
    export = client.get("/audit/export.csv?action=no.such")
    assert export.status_code == 400 and "“no.such”" in html.unescape(export.get_data(as_text=True))
    known_but_absent = client.get("/audit/export.csv?action=instance.migrate")  # a known action none did yet
    rows = list(csv.reader(io.StringIO(known_but_absent.get_data().decode("utf-8-sig"))))
    assert known_but_absent.status_code == 200 and rows == [CSV_HEADER]  # the header alone, not an empty file


def test_events_written_by_a_request_carry_its_address_and_browser(app, client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    client.get("/inbox/tasks/1", headers={"User-Agent": "Trình duyệt thử nghiệm"})
    token = auth.token()
    client.post("/inbox/tasks/3/claim", data={"_csrf": token}, headers={"User-Agent": "Trình duyệt thử nghiệm"})
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "task.claim").order_by(AuditEvent.id.desc()))
        assert event is not None and event.ip == "127.0.0.1" and event.user_agent == "Trình duyệt thử nghiệm"


def test_the_dossier_page_shows_its_audit_timeline(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/dossiers/2").get_data(as_text=True)
    timeline = page.split('data-testid="timeline"')[1].split("</details>")[0]
    for action in ("dossier.create", "document.upload", "dossier.submit", "task.complete"):
        assert action in timeline, action


def test_task_and_upload_events_before_and_after_0026_show_and_export_under_their_dossier(app, client, auth: Auth):
    """Migration 0026's service writes task.complete without the dossier in its JSON (the event's column holds
    it) and document.upload without a null nominee or an empty replaces list; events written before keep
    their JSON. The page and the export show each as stored, under its dossier, and the chain verifies."""
    def timeline() -> dict[str, int]:
        auth.login("hn-hd-pl.office_clerk")
        shown = client.get("/dossiers/2").get_data(as_text=True).split('data-testid="timeline"')[1].split("</details>")[0]
        auth.logout()
        return {action: shown.count(f"<td>{action}</td>") for action in ("task.complete", "document.upload")}

    seen_before = timeline()
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        task_id = session.scalar(select(HumanTask.id).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                                 .where(ProcessInstance.dossier_id == 2).order_by(HumanTask.id))  # fmt: skip
        step = {"step": "unit_prepare", "decision": "submit"}
        upload = {"document_id": 1, "kind": "other", "filename": "Tờ trình.pdf", "sha256": "ab" * 32, "size": 10}
        written = [
            record_event(session, action="task.complete", object_type="human_task", object_id=str(task_id),
                         actor_role="unit_clerk", after={"dossier_id": 2, **step}),  # old: dossier read from the JSON
            record_event(session, action="task.complete", object_type="human_task", object_id=str(task_id),
                         actor_role="unit_clerk", after=step, dossier_id=2),
            record_event(session, action="document.upload", object_type="dossier", object_id="2", actor_role="unit_clerk",
                         after={**upload, "nominee_id": None, "replaces": []}),
            record_event(session, action="document.upload", object_type="dossier", object_id="2", actor_role="unit_clerk",
                         after=upload),
        ]  # fmt: skip
        stored = {e.id: e.after_json for e in written}
    old_complete, new_complete, old_upload, new_upload = stored
    assert stored[old_complete] == '{"decision":"submit","dossier_id":2,"step":"unit_prepare"}'
    assert stored[new_complete] == '{"decision":"submit","step":"unit_prepare"}'
    assert '"nominee_id":null' in stored[old_upload] and '"replaces":[]' in stored[old_upload]
    assert "nominee_id" not in stored[new_upload] and "replaces" not in stored[new_upload]

    auth.login("auditor")
    for action in ("task.complete", "document.upload"):
        page = html.unescape(client.get(f"/audit/?dossier_id=2&action={action}").get_data(as_text=True))
        for event_id, after_json in stored.items():
            if (event_id in (old_complete, new_complete)) == (action == "task.complete"):
                row = page.split(f'data-event-id="{event_id}"')[1].split("</tr>")[0]
                assert after_json in row and "Hồ sơ #2" in row
    export = client.get("/audit/export.csv?dossier_id=2")
    rows = {int(r[0]): r for r in csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))) if r[0].isdigit()}
    assert {event_id: (rows[event_id][9], rows[event_id][11]) for event_id in stored} == \
        {event_id: ("2", after_json) for event_id, after_json in stored.items()}  # fmt: skip
    with factory() as session:
        assert verify_chain(session).ok
    auth.logout()
    assert timeline() == {action: count + 2 for action, count in seen_before.items()}  # the dossier's timeline


def test_the_unit_filter_takes_the_code_officials_see(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        for number in range(2):
            record_event(session, action="dossier.edit", object_type="dossier", object_id="4", dossier_id=4,
                         actor_unit_id=ward.id, comment=f"Sửa lần {number}")  # fmt: skip
        expected = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_unit_id == ward.id))
        ward_id = ward.id
    auth.login("auditor")
    by_code = client.get("/audit/?unit_id=hn-hd-pl")  # typed in lower case
    by_number = client.get(f"/audit/?unit_id={ward_id}")  # the links the page makes
    for response in (by_code, by_number):
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and page.count("data-event-id=") == min(expected, PAGE_SIZE) >= 2
        assert 'name="unit_id" value="HN-HD-PL"' in page  # the field shows the code, whichever was given


@pytest.mark.parametrize(("query", "said"), [
    ("unit_id=QN-NO-SUCH", "Không có đơn vị mã “QN-NO-SUCH”."),
    ("actor=khong-co-ai", "Không có tài khoản “khong-co-ai”."),
    ("dossier_id=abc", "Số hồ sơ phải là một số nguyên dương: “abc”."),
    ("dossier_id=-1", "Số hồ sơ phải là một số nguyên dương: “-1”."),
    ("date_from=abc", "“Từ ngày” không phải một ngày (năm-tháng-ngày): “abc”."),
    ("date_from=2024-05-02&date_to=2024-05-01", "“Từ ngày” (02/05/2024) sau “Đến ngày” (01/05/2024)."),
])  # fmt: skip
def test_a_filter_value_that_cannot_be_read_is_said_and_lists_nothing(client, auth: Auth, query, said):
    auth.login("auditor")
    response = client.get(f"/audit/?{query}&action=dossier.edit")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and said in page and "Chưa lọc" in page
    assert page.count("data-event-id=") == 0  # not the unfiltered trail looking like a result
    export = client.get(f"/audit/export.csv?{query}")
    assert export.status_code == 400 and said in html.unescape(export.get_data(as_text=True))


def test_actions_read_in_words_with_their_codes_beside(app, client, auth: Auth):
    add_events(app, 1, dossier_id=4)
    auth.login("auditor")
    page = client.get("/audit/?action=dossier.edit").get_data(as_text=True)
    assert '<td title="dossier.edit">Sửa hồ sơ <small class="muted">dossier.edit</small></td>' in page
    assert '<option value="dossier.edit" selected>Sửa hồ sơ (dossier.edit)</option>' in page
    english = client.get("/audit/?action=dossier.edit&lang=en").get_data(as_text=True)
    assert '<td title="dossier.edit">Edit dossier <small class="muted">dossier.edit</small></td>' in english


def test_an_account_typed_in_capitals_means_that_account(app, client, auth: Auth):
    auth.login("auditor")
    lower = client.get("/audit/?actor=auditor").get_data(as_text=True)  # its own sign-in at least
    upper = client.get("/audit/?actor=Auditor").get_data(as_text=True)
    assert lower.count("data-event-id=") == upper.count("data-event-id=") > 0
