"""A signed-in user's choice of language is kept with the account and comes back at the next sign-in; a choice made
on the sign-in page itself is the user's newest, kept for the session and with the account. The pages read the
session only: no query per request. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.models import User
from service.operations.preferences import stored_locale
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

USER = "hn-hd-pl.office_clerk"


def _lang(client) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'<html lang="(\w+)">', client.get("/inbox/").get_data(as_text=True)).group(1)


def _stored(app) -> str | None:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return stored_locale(session, session.scalar(select(User.id).where(User.username == USER)))


def test_english_chosen_when_signed_in_comes_back_at_the_next_sign_in(app, client, auth: Auth):
    auth.login(USER)
    assert _lang(client) == "vi"
    client.get("/inbox/?lang=en")
    assert _lang(client) == "en" and _stored(app) == "en"
    auth.logout()
    assert re.search(r'<html lang="vi">', client.get("/auth/login").get_data(as_text=True))  # nobody signed in
    auth.login(USER)
    assert _lang(client) == "en"
    # Back to Vietnamese, and so at the next sign-in.
    client.get("/inbox/?lang=vi")
    auth.logout()
    auth.login(USER)
    assert _lang(client) == "vi" and _stored(app) == "vi"


def test_a_choice_made_on_the_sign_in_page_wins_and_is_kept_with_the_account(app, client, auth: Auth):
    client.get("/auth/login?lang=en")
    auth.login(USER)
    assert _lang(client) == "en" and _stored(app) == "en"
    auth.logout()
    auth.login(USER)  # in another browser too: the account keeps it
    assert _lang(client) == "en"


def test_another_users_choice_does_not_follow_a_sign_in_on_the_same_browser(app, client, auth: Auth):
    auth.login(USER)
    client.get("/inbox/?lang=en")
    auth.logout()
    auth.login("hn-hd-pl.chairman")
    assert _lang(client) == "vi"
