"""Every route, asked with the ids of ANOTHER unit, ward or province than the signed-in user's: refused, nothing
written.

The victim is phường Phú Lãm (Hà Nội): the draft dossier 1 of Bộ phận Tư pháp - Hộ tịch (unit 4) with its task 1,
document 1 and nominee 1; the ward office's task 3 on dossier 2; the ward's campaign PL-CCHC-2024; notification 1 of
the ward's office clerk. Those who ask: the clerk of a sibling unit of the same ward, the office clerk of a ward of
Quảng Ninh, the chairman of Bến Tre province, the auditor (who reads everything and changes nothing) and nobody
signed in. Each probe is one request; after it the whole database (every table but the request bookkeeping) must be
as it was. SWEEP must name every route of the app (test_every_route_is_swept), so a new route cannot escape it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import select

from service.db import Base
from service.models import Notification, UserPreference
from service.operations.accounts import actor_for
from service.operations.official_documents import generate_proposal
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

ATTACKERS = {
    "other_unit_clerk": "hn-hd-pl-vh.unit_clerk",  # a sibling unit of the victim's, same ward
    "other_ward_official": "qn-hl-gd.office_clerk",  # a ward of another province
    "other_province_chairman": "bt.chairman",
    "auditor": "auditor",
    "anonymous": None,
}
SIGNED_IN = frozenset(ATTACKERS) - {"anonymous"}
OUTSIDERS = frozenset({"other_ward_official", "other_province_chairman"})
# What must never show on a page of theirs: the victim's nominees (the sibling clerk's own dossier 2 has Trần Văn Đức).
FOREIGN_WORDS = {
    "other_unit_clerk": ("Nguyễn Thị Hương",),
    "other_ward_official": ("Nguyễn Thị Hương", "Trần Văn Đức", "Tư pháp - Hộ tịch", "PL-CCHC-2024"),
    "other_province_chairman": ("Nguyễn Thị Hương", "Trần Văn Đức", "Tư pháp - Hộ tịch", "PL-CCHC-2024"),
}
CAMPAIGN = "PL-CCHC-2024"
# Written by any request or sign-in (who came from where, when a token was last used), not by the action asked.
BOOKKEEPING = {"request_origin", "user_agent", "api_token"}


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


INDEX_HEADER = ["Mã đơn vị", "Năm", "Chỉ số", "Điểm", "Xếp hạng", "Khối", "Xếp loại"]
HN_INDEX_ROW = {"Mã đơn vị": "HN-HD-PL-TP", "Năm": "2023", "Chỉ số": "PAR", "Điểm": "99", "Xếp hạng": "1",
                "Khối": "A", "Xếp loại": "Tốt"}  # fmt: skip


@dataclass(frozen=True)
class Probe:
    """One request. `open_to`: who may legitimately do it (not checked here: other tests say what they get);
    `listing`: a page everyone signed in may open, which must not show FOREIGN_WORDS; `refusals`: the statuses that
    refuse (a form refused on its page is a 400, a refusal flashed on the inbox a 302 there); `then`: a page to read
    after the request (where a flashed result is shown), which must not show FOREIGN_WORDS either."""

    method: str
    path: str
    data: dict[str, object] = field(default_factory=dict)
    json: dict[str, object] | None = None
    open_to: frozenset[str] = frozenset()
    listing: bool = False
    refusals: frozenset[int] = frozenset({403, 404})
    then: str | None = None


def get(path: str, open_to: frozenset[str] = frozenset({"auditor"}), **kw: object) -> Probe:
    """A read: the auditor reads every dossier, task and campaign (admin pages are passed open_to=frozenset())."""
    return Probe("GET", path, open_to=open_to, **kw)  # type: ignore[arg-type]


def post(path: str, data: dict[str, object] | None = None, **kw: object) -> Probe:
    return Probe("POST", path, data=data or {}, **kw)  # type: ignore[arg-type]


def listing(path: str) -> Probe:
    return Probe("GET", path, open_to=SIGNED_IN, listing=True)


NONE: frozenset[str] = frozenset()
FORM = frozenset({400, 403, 404})
FLASHED = frozenset({302, 403, 404})
TAKES_PART = frozenset({"auditor", "other_unit_clerk"})  # those who read the ward's campaign
GEN = "{generated}"  # the id of the victim's tờ trình draft, made by the fixture

SWEEP: dict[str, list[Probe] | str] = {
    # Open to anyone, or about the asker only.
    "pages.healthz": "public", "auth.login": "public", "static": "public", "api.openapi": "public",
    "api.token": "public", "auth.logout": "own session",
    "pages.home": [listing("/")],
    "inbox.index": [listing("/inbox/"), listing("/inbox/?filter=1&unit_id=4&campaign=3")],
    "notifications.index": [listing("/notifications/")],
    "campaigns.index": [Probe("GET", "/campaigns/", open_to=SIGNED_IN, listing=True)],
    "records.index": [Probe("GET", "/records/", open_to=SIGNED_IN)],
    "account.password": [Probe("GET", "/account/password", open_to=SIGNED_IN)],
    "account.change_password": "own password (tests/web/test_passwords.py)",
    "api.me": [listing("/api/v1/me")], "api.task_list": [listing("/api/v1/tasks")],
    "api.campaigns": [listing("/api/v1/campaigns")],
    "notifications.read_all": "own notifications (test_read_all_leaves_others_unread)",
    "inbox.save_filter": "own preference (test_saved_filters_are_each_users_own)",
    # Dossiers of unit 4.
    "dossiers.new": [
        Probe("GET", "/dossiers/new", open_to=SIGNED_IN, listing=True),
        post("/dossiers/new", {"unit_id": "4", "campaign": CAMPAIGN, "title": "Chen ngang", "name_0": "Kẻ lạ",
                               "kind_0": "individual", "award_0": "GK-XA"}, refusals=FORM),  # fmt: skip
    ],
    "dossiers.show": [get("/dossiers/1")],
    "dossiers.diagram": [get("/dossiers/1/diagram.json")],
    "dossiers.download": [get("/dossiers/1/documents/1"), get("/dossiers/2/documents/1"),
                          get("/dossiers/3/documents/1"), get("/dossiers/2/documents/11")],
    "dossiers.generated": [get(f"/dossiers/1/generated/{GEN}"), get(f"/dossiers/2/generated/{GEN}")],
    "dossiers.upload": [post("/dossiers/1/documents", {"kind": "meeting_minutes"})],
    "dossiers.add_nominee_route": [post("/dossiers/1/nominees", {"kind": "individual", "full_name": "Kẻ lạ",
                                                                 "award_form": "GK-XA"})],  # fmt: skip
    "dossiers.import_nominee_list": [post("/dossiers/1/nominees.xlsx")],
    "dossiers.remove_nominee_route": [post("/dossiers/1/nominees/1/delete"), post("/dossiers/2/nominees/1/delete")],
    "dossiers.summary_route": [post("/dossiers/1/nominees/1/summary", {"summary": "Sửa trộm"}),
                               post("/dossiers/2/nominees/1/summary", {"summary": "Sửa trộm"})],
    "dossiers.proposal": [post("/dossiers/1/proposal")],
    "dossiers.submit": [post("/dossiers/1/submit")],
    "dossiers.withdraw": [post("/dossiers/1/withdraw", {"reason": "Rút trộm"})],
    "api.dossier_show": [get("/api/v1/dossiers/1")],
    "api.document_download": [get("/api/v1/dossiers/1/documents/1"), get("/api/v1/dossiers/2/documents/1")],
    "api.dossier_create": [Probe("POST", "/api/v1/dossiers", json={
        "campaign": CAMPAIGN, "unit_id": 4, "title": "Chen ngang",
        "nominees": [{"kind": "individual", "full_name": "Kẻ lạ", "award_form": "GK-XA"}]}, refusals=FORM)],
    "api.document_upload": [post("/api/v1/dossiers/1/documents", {"kind": "meeting_minutes"})],
    "api.dossier_submit": [post("/api/v1/dossiers/1/submit")],
    # Tasks: 1 (the unit's preparation of dossier 1), 3 (the ward office's review of dossier 2).
    "inbox.task": [get("/inbox/tasks/1"), get("/inbox/tasks/3")],
    "inbox.claim": [post("/inbox/tasks/1/claim"), post("/inbox/tasks/3/claim")],
    "inbox.unclaim": [post("/inbox/tasks/1/unclaim"), post("/inbox/tasks/3/unclaim")],
    "inbox.complete": [post("/inbox/tasks/1/complete", {"decision": "submit"}),
                       post("/inbox/tasks/3/complete", {"decision": "approve"})],
    "inbox.assign": [post("/inbox/tasks/1/assign", {"assignee_id": "13"}),
                     post("/inbox/tasks/3/assign", {"assignee_id": "9"})],
    "inbox.bulk": [post("/inbox/bulk", {"task_id": ["1", "3"], "comment": "Duyệt trộm"}, refusals=FLASHED,
                        then="/inbox/")],  # fmt: skip
    "inbox.batch": [
        get("/inbox/batch?campaign_id=3&unit_id=3&step=ward_office_review", open_to=NONE),
        post("/inbox/batch?campaign_id=3&unit_id=3&step=ward_office_review", {"task_id": "3"}, refusals=FLASHED,
             then="/inbox/"),
    ],  # fmt: skip
    "api.task_show": [get("/api/v1/tasks/1"), get("/api/v1/tasks/3")],
    "api.task_claim": [post("/api/v1/tasks/1/claim"), post("/api/v1/tasks/3/claim")],
    "api.task_unclaim": [post("/api/v1/tasks/1/unclaim"), post("/api/v1/tasks/3/unclaim")],
    "api.task_complete": [Probe("POST", "/api/v1/tasks/1/complete", json={"decision": "submit"}),
                          Probe("POST", "/api/v1/tasks/3/complete", json={"decision": "approve"})],
    # The ward's campaign: its sibling unit's clerk takes part in it and reads it; the other provinces do not.
    "campaigns.show": [get(f"/campaigns/{CAMPAIGN}", open_to=TAKES_PART)],
    "campaigns.dashboard": [get(f"/campaigns/{CAMPAIGN}/dashboard", open_to=TAKES_PART)],
    "campaigns.export": [get(f"/campaigns/{CAMPAIGN}/export.yaml", open_to=TAKES_PART)],
    "campaigns.nominees_xlsx": [get(f"/campaigns/{CAMPAIGN}/nominees.xlsx", open_to=TAKES_PART)],
    "campaigns.generated": [get(f"/campaigns/{CAMPAIGN}/documents/{GEN}"),
                            get(f"/campaigns/GD-CCHC-2024/documents/{GEN}")],
    "campaigns.print_on_blank": [get(f"/campaigns/{CAMPAIGN}/documents/{GEN}/blank")],
    "campaigns.register": [post(f"/campaigns/{CAMPAIGN}/register", {"unit_id": "4"})],
    "campaigns.issue": [post(f"/campaigns/{CAMPAIGN}/decisions", {"unit_id": "3", "signer_name": "Kẻ lạ"})],
    "campaigns.official": [post(f"/campaigns/{CAMPAIGN}/documents/report"),
                           post(f"/campaigns/{CAMPAIGN}/documents/notices"),
                           post(f"/campaigns/{CAMPAIGN}/documents/forwarding", {"unit_id": "3"})],
    "campaigns.edit": [get(f"/campaigns/{CAMPAIGN}/edit", open_to=NONE), get("/campaigns/edit", open_to=NONE),
                       post(f"/campaigns/{CAMPAIGN}/edit", {"text": "code: X"}),
                       post("/campaigns/edit", {"text": "x"})],
    "campaigns.blank_layout": [get("/campaigns/blank/3", open_to=NONE), post("/campaigns/blank/3", {"width": "200"})],
    # Notifications of the ward's office clerk.
    "notifications.read": [post("/notifications/1/read", {"open": "1"})],
    # Records of Hà Nội's units: only their own officials (or an admin) enter them.
    "records.add": [post("/records/add", {"kind": "index", **HN_INDEX_ROW}, refusals=FORM)],
    "records.upload": [post("/records/import", {"kind": "index", "file": "HN_INDEX"}, refusals=FORM)],
    # Admin pages: users (user 13 is the victim's clerk, 55 the admin), roles, the org tree.
    "admin.users": [get("/admin/users", open_to=NONE)],
    "admin.add_user": [post("/admin/users", {"username": "ke.la", "full_name": "Kẻ lạ", "password": "Mk-dai-du-12"})],
    "admin.add_role": [post("/admin/roles", {"user_id": "13", "role": "chairman", "unit_id": "3"})],
    "admin.remove_role": [post("/admin/roles/13/revoke")],
    "admin.toggle": [post("/admin/users/13/active", {"active": "0"}), post("/admin/users/55/active", {"active": "0"})],
    "admin.reset_user_password": [post("/admin/users/55/password",
                                       {"password": "Mk-moi-that-dai-1", "repeated_password": "Mk-moi-that-dai-1"})],
    "org_admin.units": [get("/admin/units", open_to=NONE)],
    "org_admin.unit": [get("/admin/units/4", open_to=NONE)],
    "org_admin.create": [post("/admin/units", {"parent_id": "3", "code": "HN-HD-PL-X", "name": "Lạ", "level": "unit"})],
    "org_admin.rename": [post("/admin/units/4/rename", {"name": "Đổi trộm"})],
    "org_admin.move": [post("/admin/units/4/move", {"parent_id": "9"})],
    "org_admin.merge": [post("/admin/units/4/merge", {"into_id": "5"})],
    "org_admin.abolish": [post("/admin/levels/abolish", {"level": "district"})],
    # The audit trail: the auditor's to read and to have verified.
    "audit.index": [get("/audit/")], "audit.export": [get("/audit/export.csv")],
    "audit.verify": [post("/audit/verify", open_to=frozenset({"auditor"}))],
    # Processes and their instances: the auditor reads; only admins edit, deploy, act.
    "processes.index": [get("/processes/")], "processes.show": [get("/processes/versions/1")],
    "processes.xml": [get("/processes/versions/1.bpmn")],
    "processes.diagram": [get("/processes/versions/1/diagram.json")],
    "processes.edit": [get("/processes/versions/1/edit", open_to=NONE)],
    "processes.new": [get("/processes/new", open_to=NONE)],
    "processes.deploy": [Probe("POST", "/processes/deploy", data={"xml": "<x/>", "comment": "trộm"})],
    "instances.index": [get("/instances/")], "instances.show": [get("/instances/1")],
    "instances.migrate": [get("/instances/migrate?from_version=1&to_version=1", open_to=NONE),
                          post("/instances/migrate?from_version=1&to_version=1")],
    "instances.suspend": [post("/instances/1/suspend", {"reason": "trộm"})],
    "instances.resume": [post("/instances/1/resume", {"reason": "trộm"})],
    "instances.cancel": [post("/instances/1/cancel", {"reason": "trộm"})],
    "instances.reassign": [post("/instances/tasks/1/reassign", {"assignee_id": "13"})],
}  # fmt: skip


def snapshot(app: Flask) -> str:
    """A digest of every row of every table but BOOKKEEPING."""
    digest = hashlib.sha256()
    with app.extensions["thidua.db_engine"].connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            digest.update(table.name.encode())
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture
def generated_id(app: Flask) -> int:
    """The victim unit's tờ trình draft (a generated document of dossier 1)."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        return generate_proposal(session, clerk, FileStore(FILES), engine.clock.now(), 1).id


def signed_in(client: FlaskClient, who: str) -> tuple[str, dict[str, str]]:
    """(the CSRF token of the session, the API's bearer header) of `who`, signed in on the web and the API."""
    username = ATTACKERS[who]
    if username is None:
        return "", {}
    auth = Auth(client)
    auth.login(username)
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/me", headers=headers)  # the token's first use is recorded now, not during a probe
    return auth.token("/account/password"), headers


def send(client: FlaskClient, probe: Probe, csrf: str, headers: dict[str, str],
         generated: int):  # type: ignore[no-untyped-def]  # fmt: skip
    path = probe.path.replace(GEN, str(generated))
    api = path.startswith("/api/")
    if probe.method == "GET":
        return client.get(path, headers=headers if api else {})
    if api and probe.json is not None:
        return client.post(path, json=probe.json, headers=headers)
    data: dict[str, object] = {**probe.data}
    if csrf and not api:
        data["_csrf"] = csrf
    if data.get("file") == "HN_INDEX":
        data["file"] = (io.BytesIO(xlsx([INDEX_HEADER, [HN_INDEX_ROW[h] for h in INDEX_HEADER]])), "hn.xlsx")
    elif path.endswith("/documents") or path.endswith("nominees.xlsx"):
        data["file"] = (io.BytesIO(b"%PDF-1.4 trom"), "trom.pdf")
    return client.post(path, data=data, content_type="multipart/form-data", headers=headers if api else {})


def refused(who: str, probe: Probe, response) -> bool:  # type: ignore[no-untyped-def]
    status = response.status_code
    if who == "anonymous":
        to_login = status == 302 and "/auth/login" in response.headers.get("Location", "")
        return to_login or status in (400, 401)  # no CSRF token in a form of nobody's; no bearer token
    if status == 302 and "/auth/login" in response.headers.get("Location", ""):
        return False  # a signed-in user is not sent to sign in
    return status in probe.refusals


def probes(method: str) -> Iterator[tuple[str, Probe]]:
    for endpoint, entry in SWEEP.items():
        if isinstance(entry, list):
            yield from ((endpoint, p) for p in entry if p.method == method)


def shows_foreign(who: str, text: str) -> list[str]:
    return [word for word in FOREIGN_WORDS.get(who, ()) if word in text]


def test_every_route_is_swept(app: Flask):
    """Each (endpoint, method) of the route table has a probe here, or says why not (public, the asker's own)."""
    missing = []
    for rule in app.url_map.iter_rules():
        entry = SWEEP.get(rule.endpoint)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if entry is None or (isinstance(entry, list) and not any(p.method == method for p in entry)):
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == [], "routes the authorization sweep does not cover: " + "; ".join(sorted(missing))


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("who", list(ATTACKERS))
def test_nothing_of_another_unit_is_read_or_changed(app: Flask, generated_id: int, who: str, method: str):
    client = app.test_client()
    csrf, headers = signed_in(client, who)
    wrong: list[str] = []
    before = snapshot(app)
    for endpoint, probe in probes(method):
        response = send(client, probe, csrf, headers, generated_id)
        text = response.get_data(as_text=True) if response.mimetype and "text" in response.mimetype or \
            response.is_json else ""  # fmt: skip
        response.close()
        if who in probe.open_to:
            if probe.listing and shows_foreign(who, text):
                wrong.append(f"{endpoint} {probe.path}: shows {shows_foreign(who, text)}")
            before = snapshot(app)  # what a legitimate request wrote (a download's audit event) is not a leak
            continue
        if not refused(who, probe, response):
            wrong.append(f"{endpoint} {probe.method} {probe.path}: {response.status_code}")
        if shows_foreign(who, text):
            wrong.append(f"{endpoint} {probe.path}: refusal shows {shows_foreign(who, text)}")
        if probe.then and who != "anonymous":
            after_page = client.get(probe.then).get_data(as_text=True)
            if shows_foreign(who, after_page):
                wrong.append(f"{endpoint} {probe.path}: {probe.then} then shows {shows_foreign(who, after_page)}")
        after = snapshot(app)
        if after != before:
            wrong.append(f"{endpoint} {probe.method} {probe.path}: wrote to the database ({response.status_code})")
            before = after
    assert wrong == [], f"{who}:\n" + "\n".join(wrong)


def test_read_all_leaves_others_unread(app: Flask):
    client = app.test_client()
    csrf, _ = signed_in(client, "other_ward_official")
    client.post("/notifications/read-all", data={"_csrf": csrf})
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        assert session.get(Notification, 1).read_at is None  # the HN ward office clerk's


def test_saved_filters_are_each_users_own(app: Flask):
    client = app.test_client()
    csrf, _ = signed_in(client, "other_ward_official")
    client.post("/inbox/filter", data={"_csrf": csrf, "unit_id": "4", "campaign": "3"})
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        owners = set(session.scalars(select(UserPreference.user_id)))
    assert owners == {27}  # qn-hl-gd.office_clerk's only
    # Their inbox, with the filter naming another province's unit and campaign, lists nothing of it.
    page = client.get("/inbox/").get_data(as_text=True)
    assert shows_foreign("other_ward_official", page) == []

