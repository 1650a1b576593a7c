"""The dossier page's "Nhật ký của hồ sơ" names each audit action in words through the i18n layer (Vietnamese,
or English when chosen), keeping the action's code beside it for auditors."""

from __future__ import annotations

import html
import re
import unicodedata

from flask import Flask
from flask.testing import FlaskClient

from service.domain.audit_labels import AUDIT_ACTION_LABELS, audit_action_label
from service.models.audit_codes import ACTIONS
from service.web.i18n import EN
from tests.web.conftest import Auth
from tests.web.test_dossier_page_history import CLERK, advance, lodge

SUBMITTED_DEMO_DOSSIER = 2  # the demo's dossier waiting at the ward office


def timeline(page: str) -> list[tuple[str, str, str]]:
    """(action code, label shown, code shown in the last column) of each timeline row."""
    part = page.split('data-testid="timeline"')[1].split("</details>")[0]
    rows = re.findall(r'<tr data-action="([^"]+)">.*?data-testid="action-label">([^<]*)</td>.*?<td>([^<]*)</td></tr>',
                      part, re.DOTALL)  # fmt: skip
    return [(code, html.unescape(label), shown) for code, label, shown in rows]


def test_every_audit_action_has_a_vietnamese_label_and_an_english_one():
    assert set(AUDIT_ACTION_LABELS) == set(ACTIONS)
    for action, label in AUDIT_ACTION_LABELS.items():
        assert unicodedata.normalize("NFC", label) == label and label != action, action
        assert EN.get(label), f"no English for {label!r}"
    assert audit_action_label("dossier.create") == "Lập hồ sơ"
    assert audit_action_label("something.new") == "something.new"  # an action this version does not name


def test_the_timeline_names_actions_in_words_and_keeps_their_codes(client: FlaskClient, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    rows = timeline(client.get(f"/dossiers/{SUBMITTED_DEMO_DOSSIER}").get_data(as_text=True))
    shown = {code: label for code, label, _ in rows}
    assert {"dossier.create", "document.upload", "task.complete"} <= set(shown)
    assert shown["dossier.create"] == "Lập hồ sơ"
    assert shown["document.upload"] == "Tải tài liệu lên"
    assert shown["task.complete"] == "Xử lý xong một bước"
    assert all(label == AUDIT_ACTION_LABELS[code] and code == kept for code, label, kept in rows)
    english = timeline(client.get(f"/dossiers/{SUBMITTED_DEMO_DOSSIER}?lang=en").get_data(as_text=True))
    assert {code: label for code, label, _ in english}["document.upload"] == "Upload document"
    assert all(label == EN[AUDIT_ACTION_LABELS[code]] and code == kept for code, label, kept in english)


def test_a_finished_dossiers_engine_events_read_in_words(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    assert advance(app, dossier_id) is None  # granted at the province
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    shown = {code: label for code, label, _ in timeline(page)}
    assert shown["dossier.submit"] == "Nộp hồ sơ"
    assert shown["dossier.status"] == "Đổi trạng thái hồ sơ"
    assert shown["instance.end"] == "Kết thúc quy trình"
    labels = page.split('data-testid="timeline"')[1].split("</details>")[0]
    assert not re.search(r'data-testid="action-label">[a-z_]+\.[a-z_]+<', labels)  # no code where a label goes


def test_the_nominee_table_speaks_the_pages_language(client, auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    vietnamese = client.get("/dossiers/1").get_data(as_text=True)  # the demo's draft: its nominees being prepared
    assert "<th>Hình thức đề nghị</th><th>Kết quả</th>" in vietnamese and ">Đang lập<" in vietnamese
    english = client.get("/dossiers/1?lang=en").get_data(as_text=True)
    assert "<th>Award requested</th><th>Outcome</th>" in english and ">Draft<" in english
