"""Every route × every kind of user → allowed or refused, generated from the app's route table.

A route that is not in RULES fails the test: a new page must say who may use it.
"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PASSWORD, Auth

USERS = {
    "anonymous": None, "unit_clerk": "hn-hd-pl-tp.unit_clerk", "unit_head": "hn-hd-pl-tp.unit_head",
    "office_clerk": "hn-hd-pl.office_clerk", "council_secretary": "hn-hd-pl.council_secretary",
    "council_member": "hn-hd-pl.council_member", "chairman": "hn-hd-pl.chairman", "noi_vu": "hn-hd.noi_vu",
    "ban_tdkt": "hn.ban_tdkt", "other_province": "qn-hl-gd.office_clerk", "admin": "admin", "auditor": "auditor",
}  # fmt: skip
# Dossier 1 belongs to a unit of phường Phú Lãm: everyone on its path up to the province may read it.
CHAIN = {"unit_clerk", "unit_head", "office_clerk", "council_secretary", "council_member", "chairman", "noi_vu",
         "ban_tdkt", "admin", "auditor"}  # fmt: skip
# A campaign is shown to those at or below its issuing unit (the ward), to the levels above it (whose chairmen
# grant and decide what its dossiers ask of them), and to admins and auditors: the dossier's path again.
WARD_AND_ABOVE = CHAIN
EVERYONE = set(USERS) - {"anonymous"}
# endpoint → who may GET it (POST-only endpoints: None; they are checked for anonymous refusal).
RULES: dict[str, set[str] | None] = {
    "pages.healthz": set(USERS), "auth.login": set(USERS), "api.openapi": set(USERS), "static": set(USERS),
    "pages.home": EVERYONE, "inbox.index": EVERYONE, "campaigns.index": EVERYONE, "records.index": EVERYONE,
    "dossiers.new": EVERYONE, "api.me": EVERYONE, "api.task_list": EVERYONE, "api.campaigns": EVERYONE,
    "dossiers.show": CHAIN, "dossiers.diagram": CHAIN, "dossiers.download": CHAIN, "api.dossier_show": CHAIN,
    "api.document_download": CHAIN, "campaigns.show": WARD_AND_ABOVE, "campaigns.dashboard": WARD_AND_ABOVE, "campaigns.export": WARD_AND_ABOVE,
    "campaigns.nominees_xlsx": WARD_AND_ABOVE, "inbox.task": {"unit_clerk"}, "api.task_show": {"unit_clerk"},
    "audit.index": {"admin", "auditor"}, "audit.export": {"admin", "auditor"}, "audit.verify": None,
    "campaigns.edit": {"admin"}, "campaigns.blank_layout": {"admin"}, "admin.users": {"admin"},
    # auditors read the process versions and instances (no edit, deploy or action on them)
    "processes.index": {"admin", "auditor"}, "processes.show": {"admin", "auditor"}, "processes.xml": {"admin", "auditor"},
    "processes.diagram": {"admin", "auditor"},
    "processes.edit": {"admin"}, "processes.new": {"admin"}, "processes.deploy": None,
    "campaigns.generated": set(), "campaigns.print_on_blank": set(), "dossiers.generated": set(), "inbox.batch": set(),
    # POST only
    "auth.logout": None, "api.token": None, "api.dossier_create": None, "api.document_upload": None,
    "api.dossier_submit": None, "api.task_claim": None, "api.task_unclaim": None, "api.task_complete": None,
    "campaigns.issue": None, "campaigns.official": None, "campaigns.register": None, "dossiers.add_nominee_route": None,
    "dossiers.import_nominee_list": None, "dossiers.proposal": None, "dossiers.remove_nominee_route": None,
    "dossiers.submit": None, "dossiers.summary_route": None, "dossiers.upload": None, "dossiers.withdraw": None,
    "inbox.assign": None,
    "inbox.bulk": None, "inbox.claim": None, "inbox.complete": None, "inbox.save_filter": None, "inbox.unclaim": None,
    "records.add": None, "records.upload": None, "admin.add_user": None, "admin.add_role": None, "admin.remove_role": None,
    "admin.toggle": None,
    # instance admin
    "instances.index": {"admin", "auditor"}, "instances.show": {"admin", "auditor"}, "instances.migrate": {"admin"},
    "instances.suspend": None, "instances.resume": None, "instances.cancel": None, "instances.reassign": None,
    # notifications (each user sees only their own)
    "notifications.index": EVERYONE, "notifications.read": None, "notifications.read_all": None,
    # org unit tree over time
    "org_admin.units": {"admin"}, "org_admin.unit": {"admin"}, "org_admin.create": None, "org_admin.rename": None,
    "org_admin.move": None, "org_admin.merge": None, "org_admin.abolish": None,
    # passwords: each user changes their own; an admin resets another's (POST only)
    "account.password": EVERYONE, "account.change_password": None, "admin.reset_user_password": None,
}  # fmt: skip
ARGS = {"dossier_id": "1", "task_id": "1", "document_id": "1", "nominee_id": "1", "unit_id": "3", "code": "PL-CCHC-2024",
        "assignment_id": "1", "user_id": "1", "version_id": "1", "instance_id": "1",
        "kind": "report", "filename": "app.css"}  # fmt: skip
ARGS["notification_id"] = "1"


def url_for_rule(rule) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: ARGS[m.group(1)], rule.rule)


def routes(app):  # type: ignore[no-untyped-def]
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def test_every_route_has_a_rule(app):
    missing = sorted({r.endpoint for r in routes(app)} - set(RULES))
    assert missing == [], f"routes with no authorisation rule: {missing}"


def api_headers(client, username: str | None) -> dict[str, str]:
    if username is None:
        return {}
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.mark.parametrize("who", list(USERS))
def test_get_routes_allow_exactly_their_users(app, client, auth: Auth, who):
    username = USERS[who]
    if username:
        auth.login(username)
    headers = api_headers(client, username)
    wrong = []
    for rule in routes(app):
        allowed = RULES[rule.endpoint]
        if allowed is None or "GET" not in rule.methods:
            continue
        url = url_for_rule(rule)
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        ok = response.status_code < 400 and not (response.status_code == 302 and "/auth/login" in response.headers["Location"])
        response.close()  # static files and downloads are streamed
        if ok != (who in allowed):
            wrong.append(f"{rule.endpoint} {url}: {response.status_code}")
    assert wrong == [], f"{who}: " + "; ".join(wrong)


def test_anonymous_can_change_nothing(app, client):
    for rule in routes(app):
        if RULES[rule.endpoint] is not None or rule.endpoint in ("api.token",):
            continue
        url = url_for_rule(rule)
        response = client.post(url, data={})
        assert response.status_code in (302, 400, 401, 403, 404, 405, 415), f"{url}: {response.status_code}"
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"], url
