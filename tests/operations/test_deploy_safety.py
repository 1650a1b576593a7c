"""Deploying a process version is refused, with nothing written, when new dossiers would stop on it: its steps
sit in lanes of a level with no open unit left (an old version with the district level, deployed again after the
district was abolished), or — from the editor — it says nothing of what changed. At run time, a dossier whose
unit has no unit at a lane's level is told the level in words. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from service.domain.actors import Actor
from service.errors import DefinitionRejected, InvalidInput
from service.models import AuditEvent, OrgUnit, ProcessVersion
from service.operations.definitions import deploy_definition
from service.operations.instances import owner_unit
from service.web.messages_en import refusal_in
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level

NOW = datetime.now(UTC)
ADMIN = Actor(None, "admin")
REROUTE = {"district_noi_vu_review": "province_ban_review", "district_chairman_decide": "ward_chairman_decide"}
NO_DISTRICT = remove_level(CHAIN.read_bytes(), "district", REROUTE)


def _written(factory) -> tuple[list[tuple[int, bool]], int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        versions = session.execute(select(ProcessVersion.version, ProcessVersion.is_active)
                                   .order_by(ProcessVersion.version)).all()  # fmt: skip
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bpmn.deploy"))
        return [tuple(v) for v in versions], int(events or 0)


def _abolish_districts(factory) -> None:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        session.execute(update(OrgUnit).where(OrgUnit.level == "district").values(valid_to=NOW.date()))


def test_an_old_version_with_an_abolished_level_is_refused_naming_the_level_and_lanes(factory):
    with factory() as session, session.begin():
        assert deploy_definition(session, ADMIN, NO_DISTRICT, comment="Bỏ cấp huyện", now=NOW).version.version == 2
    _abolish_districts(factory)
    before = _written(factory)
    with factory() as session, session.begin(), pytest.raises(DefinitionRejected) as refused:
        deploy_definition(session, ADMIN, CHAIN.read_bytes(), comment="Khôi phục phiên bản 1", now=NOW)
    exc = refused.value
    assert "không còn đơn vị cấp quận/huyện nào đang hoạt động" in exc.message
    assert ("các làn Chuyên viên Phòng Nội vụ cấp quận/huyện (noi_vu@district), Thư ký HĐTĐKT cấp quận/huyện "
            "(council_secretary@district), Chủ tịch UBND cấp quận/huyện (chairman@district);") in exc.message
    assert [p.element_id for p in exc.details["problems"]] == [
        "lane_noi_vu_district", "lane_council_secretary_district", "lane_chairman_district"]
    english = refusal_in(exc, "en")
    assert "no district level unit is open" in english
    assert ("lanes Home Affairs Office specialist, district level (noi_vu@district), Secretary of the Emulation and "
            "Commendation Council, district level (council_secretary@district), Chairman of the People's Committee, "
            "district level (chairman@district);") in english
    assert not any(ch.isalpha() and not ch.isascii() for ch in english), english
    assert _written(factory) == before == ([(1, False), (2, True)], before[1])


def test_the_same_old_version_deploys_while_the_level_still_has_units(factory):
    with factory() as session, session.begin():
        deploy_definition(session, ADMIN, NO_DISTRICT, comment="Bỏ cấp huyện", now=NOW)
    with factory() as session, session.begin():
        result = deploy_definition(session, ADMIN, CHAIN.read_bytes(), comment="Khôi phục cấp huyện", now=NOW)
    assert result.created and result.version.version == 3


def test_a_new_installation_with_no_unit_yet_deploys_the_shipped_chain(empty_factory):
    with empty_factory() as session, session.begin():
        assert deploy_definition(session, ADMIN, CHAIN.read_bytes(), now=NOW).created


def test_the_editor_needs_a_note_for_a_new_version_but_not_for_an_unchanged_one(factory):
    before = _written(factory)
    for note in (None, "", "   \n "):
        with factory() as session, session.begin(), pytest.raises(InvalidInput) as refused:
            deploy_definition(session, ADMIN, NO_DISTRICT, comment=note, now=NOW, require_comment=True)
        assert refused.value.details == {"field": "comment"}
        assert refused.value.message.startswith("Hãy ghi chú ngắn phiên bản mới thay đổi gì")
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="dài quá 500 ký tự"):
        deploy_definition(session, ADMIN, NO_DISTRICT, comment="x" * 501, now=NOW, require_comment=True)
    assert _written(factory) == before
    with factory() as session, session.begin():
        same = deploy_definition(session, ADMIN, CHAIN.read_bytes(), comment="", now=NOW, require_comment=True)
    assert not same.created and _written(factory) == before
    with factory() as session, session.begin():
        made = deploy_definition(session, ADMIN, NO_DISTRICT, comment="  Bỏ cấp\nhuyện ", now=NOW,
                                 require_comment=True)  # fmt: skip
        assert (made.created, made.version.comment) == (True, "Bỏ cấp huyện")


def test_a_unit_with_no_unit_at_the_lanes_level_is_told_the_level_in_words(factory):
    with factory() as session:
        province = session.scalar(select(OrgUnit).where(OrgUnit.level == "province"))
        with pytest.raises(InvalidInput) as refused:
            owner_unit(session, SimpleNamespace(unit_id=province.id), "district", {})  # type: ignore[arg-type]
    assert refused.value.message == ("Đơn vị nộp hồ sơ không thuộc đơn vị cấp quận/huyện nào; quy trình cần một đơn vị "
                                     "cấp này để giao việc.")  # fmt: skip
    assert refusal_in(refused.value, "en") == ("The submitting unit belongs to no district level unit; the process "
                                               "needs one at that level to assign the task.")  # fmt: skip
