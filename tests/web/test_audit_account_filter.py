"""The audit page's account filter: a part of a name matching several accounts lists the events of all of them
(paged newest first as any filter, and exported alike) and the page names the accounts it covers; an exact user
name means that account alone even when it is also a part of other names; too many accounts, or none, is said
and nothing listed. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service.models import AuditEvent, User
from service.operations.audit import record_event
from service.queries.audit import ACCOUNTS_LIMIT, ACCOUNTS_NAMED, PAGE_SIZE
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

# The demo's six unit accounts of Phú Lãm's units: "hn-hd-pl-" is a part of each user name, and of no other.
PL_UNITS = ["hn-hd-pl-tc.unit_clerk", "hn-hd-pl-tc.unit_head", "hn-hd-pl-tp.unit_clerk", "hn-hd-pl-tp.unit_head",
            "hn-hd-pl-vh.unit_clerk", "hn-hd-pl-vh.unit_head"]  # fmt: skip
DAY = datetime(2031, 6, 2, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam; no seeded event falls on that day


def _factory(app):  # type: ignore[no-untyped-def]
    return app.extensions["thidua.session_factory"]


def _ids_of(app, usernames: list[str]) -> dict[str, int]:
    with _factory(app)() as session:
        return dict(session.execute(select(User.username, User.id).where(User.username.in_(usernames))).all())


def _events_of(app, usernames: list[str]) -> list[int]:
    """The ids of the events these accounts did, newest first: what the page must list."""
    with _factory(app)() as session:
        query = (select(AuditEvent.id).join(User, AuditEvent.actor_id == User.id)
                 .where(User.username.in_(usernames)).order_by(AuditEvent.id.desc()))  # fmt: skip
        return list(session.scalars(query))


def _add_events(app, usernames: list[str], count: int, start: datetime = DAY) -> None:
    """`count` events, a minute apart, done in turn by each of the accounts and by one account outside them."""
    ids = _ids_of(app, [*usernames, "hn-hd.noi_vu"])
    actors = [ids[name] for name in usernames] + [ids["hn-hd.noi_vu"]]
    with _factory(app)() as session, session.begin():
        for number in range(count):
            record_event(session, action="dossier.edit", object_type="dossier", object_id="4", dossier_id=4,
                         actor=actors[number % len(actors)], actor_role="unit_clerk", comment=f"Lần {number}",
                         now=start + timedelta(minutes=number))  # fmt: skip


def _add_accounts(app, usernames: list[str], full_name: str = "Tài khoản thử") -> None:
    with _factory(app)() as session, session.begin():
        session.add_all(User(username=name, full_name=full_name, password_hash="-") for name in usernames)


def _shown(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-event-id="(\d+)"', page)]


def _note(page: str) -> str:
    found = re.search(r'<p class="muted" data-testid="actor-accounts">(.*?)</p>', page, re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else ""


def _all_pages(client, url: str) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        seen += _shown(page)
        following = re.search(r'href="([^"]+)" data-testid="next-page"', page)
        url = html.unescape(following.group(1)) if following else ""
    return seen


def test_a_part_matching_several_accounts_lists_the_events_of_all_of_them(app, client, auth: Auth):
    _add_events(app, ["hn-hd-pl-tc.unit_head", "hn-hd-pl-vh.unit_clerk"], 9)
    auth.login("auditor")
    response = client.get("/audit/?actor=hn-hd-pl-")
    page = response.get_data(as_text=True)
    expected = _events_of(app, PL_UNITS)
    assert response.status_code == 200 and len(expected) > 9
    assert _shown(page) == expected  # every matching account's events, newest first, and no one else's
    assert _note(page) == "Tài khoản khớp: " + ", ".join(PL_UNITS) + "."
    assert 'name="actor" value="hn-hd-pl-"' in page  # the part stays in the field, as typed
    english = client.get("/audit/?actor=hn-hd-pl-&lang=en").get_data(as_text=True)
    assert _note(english) == "Matching accounts: " + ", ".join(PL_UNITS) + "."


def test_the_events_of_several_accounts_page_without_gaps_or_repeats(app, client, auth: Auth):
    accounts = ["hn-hd-pl-tp.unit_clerk", "hn-hd-pl-tp.unit_head"]
    seeded = _events_of(app, accounts)
    _add_events(app, accounts, 3 * PAGE_SIZE)  # two thirds theirs, one third another account's
    auth.login("auditor")
    expected = _events_of(app, accounts)
    assert len(expected) == len(seeded) + 2 * PAGE_SIZE
    assert _all_pages(client, "/audit/?actor=hn-hd-pl-tp.unit_") == expected
    # Under a date window (the day of the added events, a minute apart) the pages are ordered by time, then id.
    day = DAY.date().isoformat()
    added = [event for event in expected if event not in seeded]
    assert _all_pages(client, f"/audit/?actor=hn-hd-pl-tp.unit_&date_from={day}&date_to={day}") == added


def test_a_part_of_a_full_name_in_any_normal_form_matches_those_accounts(app, client, auth: Auth):
    auth.login("auditor")
    ward = ["hn-hd-pl.chairman", "hn-hd-pl.council_member", "hn-hd-pl.council_secretary", "hn-hd-pl.office_clerk"]
    for typed in ("Phú Lãm", unicodedata.normalize("NFD", "phú lãm")):
        response = client.get("/audit/", query_string={"actor": typed})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert _note(page) == "Tài khoản khớp: " + ", ".join(ward) + "."
        assert _shown(page) == _events_of(app, ward)[:PAGE_SIZE]


def test_the_page_names_a_few_accounts_and_counts_the_others(app, client, auth: Auth):
    names = [f"thu-nghiem-{n:02}" for n in range(1, ACCOUNTS_LIMIT + 1)]
    _add_accounts(app, names)
    _add_events(app, names[:3] + names[-2:], 10)
    auth.login("auditor")
    response = client.get("/audit/?actor=THU-NGHIEM")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _shown(page) == _events_of(app, names) and _shown(page)
    more = ACCOUNTS_LIMIT - ACCOUNTS_NAMED
    assert _note(page) == f"Tài khoản khớp: {', '.join(names[:ACCOUNTS_NAMED])} và {more} tài khoản khác."
    english = client.get("/audit/?actor=THU-NGHIEM&lang=en").get_data(as_text=True)
    assert _note(english) == f"Matching accounts: {', '.join(names[:ACCOUNTS_NAMED])} and {more} more accounts."


def test_a_part_matching_more_accounts_than_the_limit_is_refused(app, client, auth: Auth):
    names = [f"thu-nghiem-{n:02}" for n in range(1, ACCOUNTS_LIMIT + 2)]
    _add_accounts(app, names)
    _add_events(app, names[:2], 4)
    auth.login("auditor")
    response = client.get("/audit/?actor=thu-nghiem")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and not _shown(page) and not _note(page)
    assert f"“thu-nghiem” khớp hơn {ACCOUNTS_LIMIT} tài khoản; hãy ghi một phần dài hơn của tên." in page
    english = html.unescape(client.get("/audit/?actor=thu-nghiem&lang=en").get_data(as_text=True))
    assert f"“thu-nghiem” matches more than {ACCOUNTS_LIMIT} accounts; type a longer part of the name." in english
    export = client.get("/audit/export.csv?actor=thu-nghiem&lang=vi")
    assert export.status_code == 400 and "khớp hơn" in html.unescape(export.get_data(as_text=True))
    # A longer part, under the limit, lists them.
    assert _shown(client.get("/audit/?actor=thu-nghiem-0").get_data(as_text=True)) == _events_of(app, names[:2])


def test_an_exact_user_name_means_that_account_alone_and_the_page_says_so(app, client, auth: Auth):
    _add_accounts(app, ["admin2"], full_name="Quản trị viên thứ hai")
    _add_events(app, ["admin", "admin2"], 6)
    auth.login("auditor")
    for typed in ("admin", "Admin"):
        response = client.get(f"/audit/?actor={typed}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and _shown(page) == _events_of(app, ["admin"]) and _shown(page)
        assert _note(page) == ("Tài khoản: admin (đúng tên đăng nhập). "
                               "Không gồm các tài khoản khác có tên chứa “admin”: admin2.")  # fmt: skip
    english = client.get("/audit/?actor=admin&lang=en").get_data(as_text=True)
    assert _note(english) == ("Account: admin (the exact username). "
                              "Not the other accounts whose names contain “admin”: admin2.")  # fmt: skip
    # A shorter part is the two of them; the exact name of an account no other name contains is just said.
    both = client.get("/audit/?actor=admi&lang=vi").get_data(as_text=True)
    assert _shown(both) == _events_of(app, ["admin", "admin2"]) and _note(both) == "Tài khoản khớp: admin, admin2."
    assert _note(client.get("/audit/?actor=hn-hd-pl-tc.unit_head").get_data(as_text=True)) == (
        "Tài khoản: hn-hd-pl-tc.unit_head (đúng tên đăng nhập).")


def test_a_part_naming_one_account_lists_its_events_and_names_it(app, client, auth: Auth):
    auth.login("auditor")
    page = client.get("/audit/?actor=PL-TP.unit_cl").get_data(as_text=True)
    assert _shown(page) == _events_of(app, ["hn-hd-pl-tp.unit_clerk"]) and _shown(page)
    assert _note(page) == "Tài khoản khớp: hn-hd-pl-tp.unit_clerk."
    assert 'name="actor" value="hn-hd-pl-tp.unit_clerk"' in page  # the one account's user name in the field


def test_the_csv_export_follows_a_part_matching_several_accounts(app, client, auth: Auth):
    _add_events(app, ["hn-hd-pl-tc.unit_head", "hn-hd-pl-vh.unit_clerk"], 9)
    auth.login("auditor")
    page = client.get("/audit/?actor=hn-hd-pl-").get_data(as_text=True)
    link = html.unescape(re.search(r'href="([^"]+)" data-testid="csv-export"', page).group(1))
    assert "actor=hn-hd-pl-" in link
    export = client.get(link)
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))[1:]
    assert [int(row[0]) for row in rows] == sorted(_events_of(app, PL_UNITS))  # oldest first, all of them
    assert {row[3] for row in rows} <= set(PL_UNITS) and len({row[3] for row in rows}) == 3


def test_no_account_matching_is_still_said_and_nothing_listed(app, client, auth: Auth):
    auth.login("auditor")
    response = client.get("/audit/?actor=khong-co-ai")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "Không có tài khoản “khong-co-ai”." in page and not _shown(page)
    assert not _note(page)
    assert client.get("/audit/export.csv?actor=khong-co-ai").status_code == 400


def test_a_part_typed_in_another_case_finds_vietnamese_capitals(app, client, auth: Auth):
    """SQLite's own lower() leaves "Đ", "Ô", "Ánh" as they are: the part is folded alike on both sides in every
    script, so "đoàn" finds "Đoàn", and "ĐOÀN THỊ ÁNH" finds it too. (The demo's "Quận Hà Đông" accounts are many: the parts
    typed here name the added accounts alone.)"""
    _add_accounts(app, ["thu-nghiem-doan"], full_name="Đoàn Thị Ánh")
    _add_accounts(app, ["thu-nghiem-dong"], full_name="Trần Văn Đông")
    _add_events(app, ["thu-nghiem-doan", "thu-nghiem-dong"], 6)  # two each, and two by an account outside them
    auth.login("auditor")
    for typed, accounts in (("đoàn", ["thu-nghiem-doan"]), ("ĐOÀN THỊ ÁNH", ["thu-nghiem-doan"]),
                            ("trần văn đông", ["thu-nghiem-dong"]), ("thị ánh", ["thu-nghiem-doan"])):  # fmt: skip
        response = client.get("/audit/", query_string={"actor": typed})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert _shown(page) == _events_of(app, accounts)[:PAGE_SIZE], typed
        assert len(_shown(page)) == 2, typed
