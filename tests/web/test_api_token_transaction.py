"""The API's claim, unclaim and complete check the bearer token inside the action's own writing transaction
(one transaction per call, not a read transaction committed just before the action): revocation still
takes effect on the very next call, a refused token is refused before anything else, and a token's use is
recorded even when the action then fails. On SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, select, update

from service.app_factory import build_app
from service.config import Config
from service.models import ApiToken, RoleAssignment, User
from service.operations.tokens import hash_token
from tests.conftest import FILES
from tests.web.test_api import error_of, login
from workflows import FixedClock

OFFICE = "hn-hd-pl.office_clerk"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api_app(request: pytest.FixtureRequest, clock: FixedClock, tmp_path: Path) -> Iterator[Flask]:
    if request.param == "sqlite":
        yield request.getfixturevalue("app")
        return
    config = replace(Config.for_tests(database_url=request.getfixturevalue("postgres_url"), instance_dir=tmp_path),
                     upload_dir=FILES)  # fmt: skip
    app = build_app(config, clock=clock)
    yield app
    app.extensions["thidua.db_engine"].dispose()


def _transactions_begun(app: Flask) -> list[int]:
    begun = [0]
    event.listen(app.extensions["thidua.db_engine"], "begin", lambda _conn: begun.__setitem__(0, begun[0] + 1))
    return begun


def _open_task(client: FlaskClient, headers: dict[str, str]) -> int:
    tasks = client.get("/api/v1/tasks", headers=headers).get_json()["tasks"]
    return int(next(t["id"] for t in tasks if t["step"] == "ward_office_review"))


def _change(app: Flask, statement) -> None:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as db, db.begin():
        db.execute(statement)


def test_a_completion_is_one_transaction_with_its_token_check(api_app: Flask) -> None:
    client = api_app.test_client()
    office = login(client, OFFICE)
    task_id = _open_task(client, office)  # the token's use is recorded here, so the completion writes none
    begun = _transactions_begun(api_app)
    done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=office,
                       json={"decision": "return", "comment": "Bổ sung biên bản họp"})  # fmt: skip
    assert done.status_code == 200, done.get_json()
    assert begun[0] == 1


@pytest.mark.parametrize("revoke", ["token", "user", "role"])
def test_a_revoked_token_user_or_role_is_refused_on_the_very_next_completion(api_app: Flask, revoke: str) -> None:
    client = api_app.test_client()
    office = login(client, OFFICE)
    task_id = _open_task(client, office)
    token_hash = hash_token(office["Authorization"].removeprefix("Bearer "))
    user_id = select(User.id).where(User.username == OFFICE).scalar_subquery()
    _change(api_app, {
        "token": delete(ApiToken).where(ApiToken.token_hash == token_hash),
        "user": update(User).where(User.username == OFFICE).values(is_active=False),
        "role": delete(RoleAssignment).where(RoleAssignment.user_id == user_id),
    }[revoke])  # fmt: skip
    refused = client.post(f"/api/v1/tasks/{task_id}/complete", headers=office, json={"decision": "approve"})
    if revoke == "role":  # a valid token whose user no longer holds the task's role: the task is not theirs to see
        assert refused.status_code == 404
    else:
        assert refused.status_code == 401 and error_of(refused)["code"] == "invalid_token"
        assert error_of(refused)["message"] == {
            "token": "Mã truy cập không hợp lệ; hãy lấy mã mới tại /api/v1/auth/token.",
            "user": "Tài khoản đã bị khóa.",
        }[revoke]


@pytest.mark.parametrize("route", ["complete", "claim", "unclaim"])
def test_a_bad_token_is_refused_before_the_body_or_the_task_is_looked_at(api_app: Flask, route: str) -> None:
    client = api_app.test_client()
    headers = {"Authorization": "Bearer not-a-token"}
    refused = client.post(f"/api/v1/tasks/999999/{route}", headers=headers, data="{not json",
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 401 and error_of(refused)["code"] == "invalid_token"
    # and the writing transaction it began has ended: the next call writes
    office = login(client, OFFICE)
    task_id = _open_task(client, office)
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=office).status_code == 200


def test_a_token_use_is_kept_when_the_completion_after_it_fails(api_app: Flask, clock: FixedClock) -> None:
    client = api_app.test_client()
    office = login(client, OFFICE)
    task_id = _open_task(client, office)
    clock.advance(seconds=61)  # the recorded use is now a minute old: this call records it again
    failed = client.post(f"/api/v1/tasks/{task_id}/complete", headers=office, json={"decision": "grant"})
    assert failed.status_code == 400
    token_hash = hash_token(office["Authorization"].removeprefix("Bearer "))
    with api_app.extensions["thidua.session_factory"]() as db:
        assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == token_hash)) == clock.now()
