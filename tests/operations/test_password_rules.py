"""The rules of a new password (service/domain/passwords.py) and the operations that apply them: a user's own change
(operations.accounts.change_own_password) and an admin's reset (operations.users.reset_password), on SQLite and on
PostgreSQL. A refusal changes nothing; an audit event never holds a password or a hash."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from service.domain.actors import Actor
from service.domain.passwords import CURRENT_FIELD, MIN_PASSWORD_LENGTH, NEW_FIELD, REPEATED_FIELD, check_new_password
from service.errors import DomainError, Forbidden, InvalidInput
from service.models import ApiToken, AuditEvent, User
from service.operations.accounts import actor_for, authenticate, change_own_password, check_password
from service.operations.tokens import issue_token
from service.operations.users import create_user, reset_password
from tests.conftest import DEMO_PASSWORD

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CLERK = "hn-hd-pl.office_clerk"


# --- the rules, plain Python ----------------------------------------------------------------------------------


def _refusal(**kwargs: str | None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_new_password(**kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_password_needs_the_minimum_create_user_uses():
    assert MIN_PASSWORD_LENGTH == 8
    short = _refusal(username="lan", new="1234567")
    assert short.message == "Mật khẩu cần ít nhất 8 ký tự." and short.details == {"field": NEW_FIELD}
    check_new_password("lan", "12345678")  # eight is enough
    # characters, not bytes: eight Vietnamese letters are eight
    check_new_password("lan", "mậtkhẩuđ")


def test_the_username_the_two_entries_and_the_current_password():
    same_name = _refusal(username="hn.chairman", new=" HN.Chairman ")
    assert same_name.message == "Mật khẩu không được trùng với tên đăng nhập."
    mismatch = _refusal(username="lan", new="mật-khẩu-mới-1", repeated="mật-khẩu-mới-2")
    assert mismatch.message == "Hai lần nhập mật khẩu mới không khớp nhau; hãy nhập lại."
    assert mismatch.details == {"field": REPEATED_FIELD}
    same = _refusal(username="lan", new="mật-khẩu-cũ", repeated="mật-khẩu-cũ", current="mật-khẩu-cũ")
    assert same.message == "Mật khẩu mới phải khác mật khẩu hiện tại."
    check_new_password("lan", "mật-khẩu-mới", "mật-khẩu-mới", "mật-khẩu-cũ")


def test_create_user_refuses_what_the_rules_refuse(factory):
    admin = Actor(None, "admin", frozenset({("admin", 1)}))
    with factory() as session, session.begin():
        for password, said in (("ngan", "Mật khẩu cần ít nhất 8 ký tự."),
                               ("lan.anh.hd", "Mật khẩu không được trùng với tên đăng nhập.")):  # fmt: skip
            with pytest.raises(InvalidInput) as caught:
                create_user(session, admin, NOW, username="lan.anh.hd", full_name="Lê Lan Anh", password=password)
            assert caught.value.message == said
        assert session.scalar(select(User).where(User.username == "lan.anh.hd")) is None


# --- a user's own change --------------------------------------------------------------------------------------


def _user(session, username: str = CLERK) -> User:  # type: ignore[no-untyped-def]
    return session.scalar(select(User).where(User.username == username))


def _snapshot(factory, username: str = CLERK) -> tuple[str, bool, int, int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        user = _user(session, username)
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        tokens = session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id))
        return user.password_hash, user.must_change_password, events, tokens


@pytest.mark.parametrize(("current", "new", "repeated", "field"), [
    ("sai-mật-khẩu", "mật-khẩu-mới-1", "mật-khẩu-mới-1", CURRENT_FIELD),
    (DEMO_PASSWORD, "ngắn", "ngắn", NEW_FIELD),
    (DEMO_PASSWORD, "mật-khẩu-mới-1", "mật-khẩu-mới-2", REPEATED_FIELD),
    (DEMO_PASSWORD, CLERK.upper(), CLERK.upper(), NEW_FIELD),
    (DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD, NEW_FIELD),
])  # fmt: skip
def test_a_refused_change_changes_nothing(factory, current, new, repeated, field):
    with factory() as session, session.begin():
        issue_token(session, _user(session), NOW)
    before = _snapshot(factory)
    with factory() as session, pytest.raises(InvalidInput) as caught, session.begin():
        change_own_password(session, _user(session).id, NOW, current=current, new=new, repeated=repeated)
    assert caught.value.details["field"] == field
    assert _snapshot(factory) == before


def test_a_change_replaces_the_password_clears_a_reset_revokes_tokens_and_is_audited_without_secrets(factory):
    with factory() as session, session.begin():
        user = _user(session)
        user.must_change_password = True
        issue_token(session, user, NOW)
        user_id, old_hash = user.id, user.password_hash
    with factory() as session, session.begin():
        change_own_password(session, user_id, NOW, current=DEMO_PASSWORD, new="Mùa-thi-đua-2026",
                            repeated="Mùa-thi-đua-2026")  # fmt: skip
    with factory() as session:
        user = session.get(User, user_id)
        assert not user.must_change_password and user.password_hash != old_hash
        assert user.password_hash.startswith("$argon2id$") and check_password(user.password_hash, "Mùa-thi-đua-2026")
        assert authenticate(session, CLERK, DEMO_PASSWORD) is None
        assert authenticate(session, CLERK, "Mùa-thi-đua-2026") is not None
        assert session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id)) == 0
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one()
        assert (event.object_type, event.object_id, event.actor_id) == ("user", str(user_id), user_id)
        recorded = " ".join(str(v) for v in (event.before_json, event.after_json, event.comment))
        for secret in (DEMO_PASSWORD, "Mùa-thi-đua-2026", old_hash, user.password_hash, "argon2"):
            assert secret not in recorded
        assert json.loads(event.after_json) == {"username": CLERK, "after_reset": True, "api_tokens_revoked": 1}


# --- an admin's reset -----------------------------------------------------------------------------------------


def test_an_admin_resets_a_forgotten_password_and_the_user_must_change_it(factory):
    with factory() as session, session.begin():
        admin, clerk = actor_for(session, "admin"), _user(session)
        clerk.is_active = False  # locked: a reset does not unlock
        issue_token(session, clerk, NOW)
        clerk_id, old_hash = clerk.id, clerk.password_hash
    with factory() as session, session.begin():
        reset_password(session, admin, NOW, clerk_id, password="Tạm-thời-123", repeated="Tạm-thời-123")
    with factory() as session:
        clerk = session.get(User, clerk_id)
        assert clerk.must_change_password and not clerk.is_active
        assert check_password(clerk.password_hash, "Tạm-thời-123") and clerk.password_hash != old_hash
        assert session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == clerk_id)) == 0
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_reset")).one()
        assert (event.object_type, event.object_id, event.actor_id) == ("user", str(clerk_id), admin.user_id)
        assert "Tạm-thời-123" not in event.after_json and clerk.password_hash not in event.after_json


@pytest.mark.parametrize(("who", "target", "password", "repeated", "refused"), [
    ("hn-hd-pl.chairman", CLERK, "Tạm-thời-123", "Tạm-thời-123", Forbidden),
    ("admin", CLERK, "ngắn", "ngắn", InvalidInput),
    ("admin", CLERK, "Tạm-thời-123", "Tạm-thời-456", InvalidInput),
    ("admin", CLERK, CLERK, CLERK, InvalidInput),
    ("admin", "admin", "Tạm-thời-123", "Tạm-thời-123", InvalidInput),  # an admin's own: the password page
])  # fmt: skip
def test_a_refused_reset_changes_nothing(factory, who, target, password, repeated, refused):
    before = _snapshot(factory, target)
    with factory() as session, pytest.raises(DomainError) as caught, session.begin():
        reset_password(session, actor_for(session, who), NOW, _user(session, target).id, password=password,
                       repeated=repeated)  # fmt: skip
    assert type(caught.value) is refused
    assert _snapshot(factory, target) == before
