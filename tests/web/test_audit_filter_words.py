"""The auditor's filter takes a part of an account's name, of one account or of several (whose events it lists:
tests/web/test_audit_account_filter.py), and says so when an action typed into the address is not one the trail
knows."""

from __future__ import annotations

import html

from tests.web.conftest import Auth


def _problems(page: str) -> str:
    return html.unescape(page)


def test_a_part_of_a_name_that_names_one_account_filters_by_it(client, auth: Auth):  # type: ignore[no-untyped-def]
    auth.login("auditor")
    exact = client.get("/audit/?actor=hn-hd-pl-tp.unit_clerk").get_data(as_text=True)
    part = client.get("/audit/?actor=PL-TP.unit_cl")
    assert part.status_code == 200
    rows = lambda page: {line for line in page.split("data-event-id=")[1:]}  # noqa: E731
    assert rows(part.get_data(as_text=True)) == rows(exact) and rows(exact)


def test_a_part_matching_several_accounts_lists_and_names_them(client, auth: Auth):  # type: ignore[no-untyped-def]
    auth.login("auditor")
    page = client.get("/audit/?actor=hn-hd-pl-")
    text = _problems(page.get_data(as_text=True))
    assert page.status_code == 200 and "Tài khoản khớp: hn-hd-pl-tc.unit_clerk, hn-hd-pl-tc.unit_head, " in text
    assert "data-event-id=" in text and "filter-problems" not in text  # their events, not a refusal
    english = _problems(client.get("/audit/?actor=hn-hd-pl-&lang=en").get_data(as_text=True))
    assert "Matching accounts: hn-hd-pl-tc.unit_clerk, " in english
    nobody = _problems(client.get("/audit/?actor=khong-co-ai&lang=vi").get_data(as_text=True))
    assert "Không có tài khoản “khong-co-ai”." in nobody


def test_an_unknown_action_is_said_not_listed_as_nothing(client, auth: Auth):  # type: ignore[no-untyped-def]
    auth.login("auditor")
    page = client.get("/audit/?action=no.such")
    text = _problems(page.get_data(as_text=True))
    assert page.status_code == 400 and "Không có hành động “no.such” trong nhật ký." in text
    assert "The trail has no action “no.such”." in _problems(client.get("/audit/?action=no.such&lang=en").get_data(as_text=True))
    assert client.get("/audit/?action=task.complete").status_code == 200
