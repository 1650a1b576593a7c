"""An org unit's code reads like the tree's codes ("QN-HL-GD-KP3"): upper-case letters A–Z and digits in parts joined
by single hyphens. Anything else ("qn hl", "HN_HD", "ĐL", "-X") is refused when the unit is created, with a
Vietnamese message that says what a code may hold (and the code it probably meant), and nothing is written."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.domain.actors import Actor
from service.errors import InvalidInput
from service.models import AuditEvent, OrgUnit
from service.operations.demo import ORG_TREE
from service.operations.org_admin import create_unit, unit_code_problem

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ADMIN = Actor(None, "admin", frozenset({("admin", 1)}))
PART = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=6)
SHAPE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")


def _counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as session:
        return (session.scalar(select(func.count()).select_from(OrgUnit)),
                session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


@pytest.mark.parametrize("code", ["qn hl", "QN HL", "qn-hl", "HN_HD", "ĐL-01", "-QN", "QN-", "QN--HL", "QN.HL",
                                  "QN/HL", "Q\tN", "X" * 65])  # fmt: skip
def test_a_code_not_shaped_like_the_trees_codes_is_refused_and_nothing_is_written(empty_factory, code: str):
    before = _counts(empty_factory)
    with empty_factory() as session, session.begin(), pytest.raises(InvalidInput) as refused:
        create_unit(session, ADMIN, NOW, code=code, name="Đơn vị thử", level="province", parent_id=None,
                    valid_from=date(2024, 1, 1))  # fmt: skip
    assert "Mã đơn vị" in refused.value.message
    assert _counts(empty_factory) == before


def test_the_refusal_says_what_a_code_holds_and_what_was_probably_meant():
    message = unit_code_problem("qn hl")
    assert message is not None
    assert "'qn hl'" in message and "A–Z" in message and "'QN-HL'" in message
    assert "'QN-HL'" in unit_code_problem("qn-hl") and "'QN-HL-GD'" in unit_code_problem(" qn_hl_gd")  # type: ignore[operator]
    assert "Hãy thử" not in unit_code_problem("ĐL")  # type: ignore[operator]  # nothing sensible to suggest


def test_the_demo_and_seed_codes_stay_valid():
    assert [code for code, *_ in ORG_TREE if unit_code_problem(code) is not None] == []
    for code in ("P", "Y1", "H-P", "HN-PLKH", "HN-HD-PL-KP9", "QN-HL-GD-KP3", "LT-Q-P01", "BP-H01-X02-D03"):
        assert unit_code_problem(code) is None, code


def test_a_valid_code_is_created_as_typed_apart_from_spaces_around_it(empty_factory):
    with empty_factory() as session, session.begin():
        unit = create_unit(session, ADMIN, NOW, code="  QN-HL-GD-KP3 ", name="Khu phố 3", level="province",
                           parent_id=None, valid_from=date(2024, 1, 1))  # fmt: skip
        assert unit.code == "QN-HL-GD-KP3"


@given(st.lists(PART, min_size=1, max_size=8))
def test_parts_joined_by_hyphens_are_accepted(parts: list[str]):
    code = "-".join(parts)
    assert (unit_code_problem(code) is None) == (len(code) <= 64)


@given(st.text(max_size=20))
def test_a_code_is_accepted_only_when_it_has_the_trees_shape(code: str):
    problem = unit_code_problem(code)
    assert (problem is None) == bool(SHAPE.fullmatch(code))
    if problem is not None:
        assert "Mã đơn vị" in problem
        suggested = re.search(r"Hãy thử '([^']*)'", problem)
        if suggested:  # a suggestion is itself a valid code
            assert unit_code_problem(suggested.group(1)) is None
