"""The page header offers each official what they can use, and the site's icon is served from the app."""

from __future__ import annotations

import pytest

from tests.web.conftest import Auth


@pytest.mark.parametrize(("username", "offered"), [
    ("hn-hd-pl-tp.unit_clerk", True),
    ("hn-hd-pl.office_clerk", False),
    ("hn-hd-pl.chairman", False),
    ("auditor", False),
    ("admin", False),
])  # fmt: skip
def test_only_a_units_clerk_is_offered_a_new_dossier(client, auth: Auth, username, offered):
    auth.login(username)
    page = client.get("/inbox/").get_data(as_text=True)
    assert ('href="/dossiers/new"' in page) is offered
    assert ("Lập hồ sơ mới" in page) is offered


def test_the_icon_is_linked_and_served_from_the_app(client, auth: Auth):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    with client.get("/static/favicon.svg") as icon:  # a file response: closed when read
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
