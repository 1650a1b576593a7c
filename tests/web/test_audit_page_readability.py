"""The audit page reads for an auditor: times to the second, an event's details as short `key: value` text (its
full JSON one click away, in a <details>), its object in words, and a verification panel in plain words."""

from __future__ import annotations

import html
import importlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.domain.audit_labels import AUDIT_OBJECT_TYPE_LABELS, readable_details
from service.models.audit_codes import OBJECT_TYPES
from service.operations.audit import record_event
from service.operations.jobs import JobContext, drain
from service.web.i18n import EN
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

importlib.import_module("service.operations.job_kinds")  # registers the audit_verify handler
app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

MOMENT = datetime(2030, 5, 6, 3, 4, 5, tzinfo=UTC)  # 10:04:05 in Vietnam
UPLOAD = {"document_id": 7, "kind": "other", "filename": "Tờ trình số 12.pdf", "replaces": [3, 4], "nominee_id": None,
          "meta": {"pages": 2}}  # fmt: skip


def _record(app, **event) -> int:
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        return record_event(session, **event).id


def _row(page: str, event_id: int) -> str:
    return page.split(f'data-event-id="{event_id}"')[1].split("</tr>")[0]


def _cell(row: str, testid: str) -> str:
    return re.search(rf'<td[^>]*data-testid="{testid}"[^>]*>(.*?)</td>', row, re.S).group(1)


def _visible(cell: str) -> str:
    """The cell's text as shown before anything is opened: a <details>' body is hidden, its summary shown."""
    shown = re.sub(r"<details>\s*<summary>(.*?)</summary>.*?</details>", r"\1", cell, flags=re.S)
    shown = re.sub(r"</?(b|small)>", "", shown)  # inline: no space of their own
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", shown)).split())


def test_event_times_show_seconds(app, client, auth: Auth):
    first = _record(app, action="dossier.edit", object_type="dossier", object_id="4", dossier_id=4, now=MOMENT)
    second = _record(app, action="dossier.edit", object_type="dossier", object_id="4", dossier_id=4,
                     now=MOMENT.replace(second=47))  # fmt: skip
    auth.login("auditor")
    page = client.get("/audit/?dossier_id=4").get_data(as_text=True)
    assert "<td class=\"nowrap\">06/05/2030 10:04:05</td>" in _row(page, first)
    assert "<td class=\"nowrap\">06/05/2030 10:04:47</td>" in _row(page, second)  # same minute, told apart


def test_details_read_as_key_value_text_with_the_json_one_click_away(app, client, auth: Auth):
    event_id = _record(app, action="document.upload", object_type="dossier", object_id="2", dossier_id=2,
                       actor_role="unit_clerk", before={"status": "draft"}, after=UPLOAD, comment="Bản ký")  # fmt: skip
    auth.login("auditor")
    page = client.get("/audit/?dossier_id=2&action=document.upload").get_data(as_text=True)
    cell = _cell(_row(page, event_id), "event-details")
    shown = _visible(cell)
    assert not set("{}[]\"") & set(shown), shown
    # Keys the audit labels know read in words (a status's code too); others as recorded.
    for said in ("Bản ký", "Tài liệu: 7", "Tên tệp: Tờ trình số 12.pdf", "replaces: 3, 4", "Người được đề nghị: —",
                 "meta: pages=2", "Trước — Trạng thái: Đang lập", "Toàn bộ dữ liệu (JSON)"):  # fmt: skip
        assert said in shown, said
    hidden = html.unescape(re.search(r"<details>(.*?)</details>", cell, re.S).group(1))
    assert '"filename":"Tờ trình số 12.pdf"' in hidden and '"status":"draft"' in hidden  # the full JSON
    english = client.get("/audit/?dossier_id=2&action=document.upload&lang=en").get_data(as_text=True)
    shown = _visible(_cell(_row(english, event_id), "event-details"))
    assert "Before — Status: Draft" in shown and "Full data (JSON)" in shown, shown


def test_details_wrap_inside_their_column():
    css = (Path(__file__).parents[2] / "service" / "static" / "app.css").read_text(encoding="utf-8")
    rule = re.search(r"\.event-details \{([^}]*)\}", css).group(1)
    assert "max-width" in rule and ("word-break" in rule or "overflow-wrap" in rule)


def test_a_long_value_is_cut_and_text_that_is_no_object_is_kept():
    (key, value), = readable_details('{"note": "' + "x" * 200 + '"}')
    assert key == "note" and len(value) == 80 and value.endswith("…")
    assert readable_details("[1, 2]") == [("", "1, 2")] and readable_details("not json") == [("", "not json")]
    assert readable_details(None) == [] and readable_details('{"ok": true}') == [("ok", "true")]


def test_objects_read_in_words_in_both_languages(app, client, auth: Auth):
    export = _record(app, action="audit.export", object_type="audit", object_id="csv")
    edit = _record(app, action="dossier.edit", object_type="dossier", object_id="4", dossier_id=4)
    task = _record(app, action="task.claim", object_type="human_task", object_id="12", dossier_id=4)
    auth.login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    objects = {e: _visible(_cell(_row(page, e), "event-object")) for e in (export, edit, task)}
    # A dossier's own event names it once (it was "Hồ sơ #4 · Hồ sơ #4").
    assert objects == {export: "Nhật ký kiểm toán csv", edit: "Hồ sơ #4", task: "Việc cần xử lý #12 · Hồ sơ #4"}
    english = client.get("/audit/?lang=en").get_data(as_text=True)
    objects = {e: _visible(_cell(_row(english, e), "event-object")) for e in (export, edit, task)}
    assert objects == {export: "Audit trail csv", edit: "Dossier #4", task: "Task #12 · Dossier #4"}


def test_every_object_type_has_a_label_with_an_english_entry():
    assert set(AUDIT_OBJECT_TYPE_LABELS) == set(OBJECT_TYPES)
    assert all(label in EN for label in AUDIT_OBJECT_TYPE_LABELS.values())


def test_the_verification_panel_speaks_plainly_offers_a_reload_and_shows_seconds(app, client, auth: Auth):
    auth.login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    panel = html.unescape(re.search(r'data-testid="verify-explained">(.*?)</p>', page, re.S).group(1))
    assert "thidua worker" not in panel and "make run" not in panel and "30 giây" not in panel
    assert "chạy trong nền và thường xong trong khoảng một phút" in panel
    assert 'data-testid="verify-reload">Tải lại</a>' in panel
    english = html.unescape(client.get("/audit/?lang=en").get_data(as_text=True))
    assert "usually finishes within about a minute" in english and "worker" not in english
    assert 'data-testid="verify-reload">Reload</a>' in english

    client.post("/audit/verify", data={"_csrf": auth.token("/audit/")})
    page = client.get("/audit/").get_data(as_text=True)
    assert "worker" not in html.unescape(page)
    assert drain(app.extensions["thidua.session_factory"], "w", JobContext()).done == 1
    page = client.get("/audit/").get_data(as_text=True)
    row = re.search(r'<tr data-verification-id="\d+" data-outcome="ok">(.*?)</tr>', page, re.S).group(1)
    requested, finished = re.findall(r"<td>(\d\d/\d\d/\d{4} [^<]*)</td>", row)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", requested)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", finished)
