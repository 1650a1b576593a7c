"""`thidua init` (every upgrade, every `make run`) deploys a shipped BPMN file only when the installation has never
had it: an admin's edited version (the district level dropped) stays the one in use, and a shipped file refused
here (a level it needs is abolished) is reported, not raised. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import select, update

from service.cli import main
from service.domain.actors import Actor
from service.models import OrgUnit, ProcessVersion
from service.operations.definitions import deploy_definition, deploy_shipped
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level, replace_condition

NOW = datetime.now(UTC)
ADMIN = Actor(None, "admin")
INIT = Actor(None, "thidua init")
REROUTE = {"district_noi_vu_review": "province_ban_review", "district_chairman_decide": "ward_chairman_decide"}


def _versions(factory) -> list[tuple[int, bool]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return [tuple(v) for v in session.execute(select(ProcessVersion.version, ProcessVersion.is_active)
                                                  .order_by(ProcessVersion.version))]  # fmt: skip


def test_an_admins_version_stays_in_use_when_init_meets_the_shipped_file_again(factory):
    with factory() as session, session.begin():
        deploy_definition(session, ADMIN, remove_level(CHAIN.read_bytes(), "district", REROUTE), comment="Bỏ cấp huyện",
                          now=NOW)  # fmt: skip
    assert _versions(factory) == [(1, False), (2, True)]
    with factory() as session, session.begin():
        result = deploy_shipped(session, INIT, CHAIN.read_bytes(), filename=CHAIN.name, comment="mặc định", now=NOW)
        assert not result.created and result.refusal is None
        assert result.version.version == 1 and result.active.version == 2
    assert _versions(factory) == [(1, False), (2, True)]  # no v3 putting the district back


def test_a_shipped_file_refused_here_is_reported_and_init_goes_on(factory):
    with factory() as session, session.begin():
        session.execute(update(OrgUnit).where(OrgUnit.level == "district").values(valid_to=NOW.date()))
    # A later release's chain (another condition: a process this installation never had), still with the district.
    newer = replace_condition(CHAIN.read_bytes(), "flow_gw_ward_office_review_to_ward_council_vote",
                              "ward_office_review_decision == 'approve' and True")  # fmt: skip
    with factory() as session, session.begin():
        result = deploy_shipped(session, INIT, newer, filename=CHAIN.name, comment="mặc định", now=NOW)
        assert result.version is None and not result.created and result.active.version == 1
        assert result.refusal is not None and "cấp quận/huyện" in result.refusal.message
    assert _versions(factory) == [(1, True)]


def test_init_says_which_version_is_in_use(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'init.sqlite3'}")
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    runner = CliRunner()
    assert "phiên bản 1 (đã triển khai)" in runner.invoke(main, ["init"]).output
    edited = tmp_path / "no-district.bpmn"
    edited.write_bytes(remove_level(CHAIN.read_bytes(), "district", REROUTE))
    assert runner.invoke(main, ["bpmn", "deploy", str(edited)]).exit_code == 0
    again = runner.invoke(main, ["init"])
    assert again.exit_code == 0
    assert "đã có (phiên bản 1); đang dùng phiên bản 2, do quản trị viên sửa" in again.output, again.output
