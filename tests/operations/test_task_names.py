"""A task's name is its step's name in the BPMN of its own instance's process version, not a stored copy
(migration 0023): every reader shows it, a page of tasks does not read it task by task, and the downgrade
writes the exact names back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.app_factory import build_app
from service.config import Config
from service.db import alembic_config, make_engine
from service.domain.actors import Actor
from service.models import Campaign, HumanTask, Notification, OrgUnit, ProcessInstance
from service.models.task_codes import TASK_STATES
from service.operations.accounts import actor_for
from service.operations.audit import REQUEST_ORIGIN
from service.operations.definitions import deploy_definition
from service.queries.batches import batch_summaries, batches
from service.queries.dashboard import campaign_dashboard
from service.queries.dossier_view import dossier_view
from service.queries.inbox import inbox, inbox_facets
from service.queries.instances import instance_detail
from service.queries.notifications import recent_notices
from service.queries.step_names import step_names
from service.queries.task_view import task_view
from service.queries.unit_panel import unit_panel
from tests.conftest import CHAIN, DEMO_PASSWORD, FILES
from tests.operations.helpers import (
    act, assert_head_agrees_with_models, new_dossier, query_rows, statements, task_references, task_rows,
    task_table_schema,
)  # fmt: skip
from workflows import Engine, FixedClock

OFFICE = "hn-hd-pl.office_clerk"  # the ward office: every dossier below waits in its inbox
CLERK = "hn-hd-pl-tp.unit_clerk"  # the submitting unit's clerk
TITLE = "Đề nghị khen thưởng năm 2024"  # every new_dossier's title: only the step's name tells notices apart
SHIPPED = {"unit_prepare": "Lập và nộp hồ sơ đề nghị khen thưởng",
           "ward_office_review": "Thẩm định hồ sơ (Văn phòng UBND phường/xã)"}  # fmt: skip
RENAMED = {"unit_prepare": "Lập hồ sơ đề nghị (phiên bản đổi tên)",
           "ward_office_review": "Văn phòng phường thẩm định (phiên bản đổi tên)"}  # fmt: skip

BEFORE_0023 = "0022"  # the revision 0023 upgrades from


def renamed_chain() -> bytes:
    """The shipped chain with both steps renamed; the engine strips a name's spaces, so one has some."""
    xml = CHAIN.read_text(encoding="utf-8")
    for step, name in SHIPPED.items():
        assert xml.count(f'id="{step}" name="{name}"') == 1
        xml = xml.replace(f'id="{step}" name="{name}"', f'id="{step}" name=" {RENAMED[step]}  "')
    return xml.encode("utf-8")


def deploy(factory: sessionmaker[Session], xml: bytes) -> int:
    with factory() as session, session.begin():
        result = deploy_definition(session, Actor(None, "test"), xml, filename=CHAIN.name)
        assert result.created
        return result.version.id


def submitted(factory: sessionmaker[Session], engine: Engine) -> int:
    """A new dossier of the active version, submitted: its task waits at the ward office."""
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    return dossier_id


@dataclass
class World:
    factory: sessionmaker[Session]
    engine: Engine
    names: dict[int, dict[str, str]]  # dossier id -> the names of its version's steps
    versions: dict[int, int]  # dossier id -> its instance's version id

    def open_task(self, session: Session, dossier_id: int) -> HumanTask:
        return session.scalars(select(HumanTask).join(ProcessInstance).where(
            ProcessInstance.dossier_id == dossier_id, HumanTask.state == "ready")).one()  # fmt: skip


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    """Three dossiers waiting at the ward office, each on its own version of the chain: the shipped one, one
    with both steps renamed, and one a comment apart from the shipped one (another version, the same names)."""
    engine = Engine(FixedClock())
    shipped = submitted(factory, engine)
    deploy(factory, renamed_chain())
    renamed = submitted(factory, engine)
    deploy(factory, CHAIN.read_bytes() + b"\n<!-- the same steps again -->\n")
    again = submitted(factory, engine)
    with factory() as session:
        versions = dict(session.execute(select(ProcessInstance.dossier_id, ProcessInstance.version_id).where(
            ProcessInstance.dossier_id.in_([shipped, renamed, again]))).all())  # fmt: skip
    assert len(set(versions.values())) == 3
    return World(factory, engine, {shipped: SHIPPED, renamed: RENAMED, again: SHIPPED}, versions)


def test_every_reader_names_a_task_from_its_own_version(world):
    expected = {dossier_id: names["ward_office_review"] for dossier_id, names in world.names.items()}
    with world.factory() as session:
        office = actor_for(session, OFFICE)
        rows = [r for r in inbox(session, office) if r.dossier_id in world.names]
        assert {r.dossier_id: r.step_name for r in rows} == expected and len(rows) == 3
        tasks = {dossier_id: world.open_task(session, dossier_id) for dossier_id in world.names}
        for dossier_id, names in world.names.items():
            view = dossier_view(session, world.engine, dossier_id)
            assert [view.step_names[t.bpmn_id] for t, _ in view.open_tasks] == [names["ward_office_review"]]
            assert [view.step_names[t.bpmn_id] for t, _ in view.done_tasks] == [names["unit_prepare"]]
            assert task_view(session, office, tasks[dossier_id].id).name == names["ward_office_review"]
            detail = instance_detail(session, tasks[dossier_id].instance_id)
            assert [open_.name for open_ in detail.open_tasks] == [names["ward_office_review"]]
        # A notice's sentence names its task's step as the task's version does.
        notices = {n.task_id: n.text for n in recent_notices(session, office.user_id, 50)}
        assert {d: notices[tasks[d].id] for d in world.names} \
            == {d: f"Việc mới: {name} — hồ sơ “{TITLE}”." for d, name in expected.items()}  # fmt: skip
        # The three wait at one step of one campaign at one ward: one batch, named as its first task's version.
        [batch] = [b for b in batches(session, office) if b.campaign.code == "TEST-PL-ALL"]
        assert sorted(i.dossier.id for i in batch.items) == sorted(world.names)
        assert batch.step_name == expected[batch.items[0].dossier.id]
        # The inbox page lists the same batch from its counts alone.
        [summary] = [b for b in batch_summaries(session, office) if b.campaign_code == "TEST-PL-ALL"]
        assert (summary.campaign_id, summary.step, summary.step_name, summary.org_unit_id, summary.source,
                summary.dossiers, summary.nominee_count) == (batch.campaign.id, batch.step, batch.step_name,
                                                             batch.org_unit_id, batch.source, 3, batch.nominee_count)  # fmt: skip
        assert batch.nominee_count > 0
        # The inbox's filter chooses by step: it offers the step once, under every name its tasks' versions give
        # it, the newest version's first (the third version is the shipped names again).
        facets = inbox_facets(session, office)
        assert [label for step, label in facets.steps if step == "ward_office_review"] \
            == [f"{SHIPPED['ward_office_review']} / {RENAMED['ward_office_review']}"]  # fmt: skip
        assert len({step for step, _ in facets.steps}) == len(facets.steps)
        assert facets.total == len(inbox(session, office, limit=10_000))
        # Overdue tasks count per step name: the shipped and the repeated version's tasks are one line.
        campaign = session.scalar(select(Campaign).where(Campaign.code == "TEST-PL-ALL"))
        ward = session.get(OrgUnit, tasks[next(iter(world.names))].org_unit_id).name
        later = world.engine.clock.now() + timedelta(days=11)  # the step's timer is ten days
        assert campaign_dashboard(session, campaign, later).overdue == sorted(
            [(ward, SHIPPED["ward_office_review"], 2), (ward, RENAMED["ward_office_review"], 1)])  # fmt: skip


def test_a_returned_dossier_tells_its_clerk_the_returning_step_by_its_version(world):
    for dossier_id in world.names:
        act(world.factory, world.engine, dossier_id, "return", "Thiếu biên bản họp bình xét")
    with world.factory() as session:
        clerk = actor_for(session, CLERK)
        for dossier_id, names in world.names.items():
            panel = unit_panel(session, clerk, dossier_view(session, world.engine, dossier_id).dossier)
            assert panel.last_return is not None
            assert (panel.last_return.step_name, panel.last_return.reason) \
                == (names["ward_office_review"], "Thiếu biên bản họp bình xét")  # fmt: skip


def _login(client: FlaskClient, username: str) -> None:
    token = re.search(r'name="_csrf" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True)).group(1)
    response = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf": token})
    assert response.status_code == 302


@pytest.fixture
def web(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on the test's database; its connections are closed when the test ends. A request leaves its
    origin set when it ends (web.context.remember_origin sets it, nothing resets it): it is put back too,
    so later tests' audit events are not written as if from this test's client."""
    app = build_app(replace(Config.for_tests(database_url=db_url, instance_dir=tmp_path), upload_dir=FILES),
                    clock=FixedClock())  # fmt: skip
    origin = REQUEST_ORIGIN.set(REQUEST_ORIGIN.get())
    yield app
    REQUEST_ORIGIN.reset(origin)
    app.extensions["thidua.db_engine"].dispose()


def test_pages_and_the_api_name_each_task_from_its_own_version(world, web):
    with world.factory() as session:
        tasks = {dossier_id: world.open_task(session, dossier_id).id for dossier_id in world.names}
        office_id = actor_for(session, OFFICE).user_id
        notes = dict(session.execute(select(Notification.task_id, Notification.id).where(
            Notification.user_id == office_id, Notification.task_id.in_(tasks.values()))).all())  # fmt: skip
    client = web.test_client()
    _login(client, OFFICE)
    page = client.get("/inbox/").get_data(as_text=True)
    shown = dict(re.findall(r'data-task-id="(\d+)">\s*<td>.*?</td>\s*<td>([^<\n]*?)\s*\n', page, re.DOTALL))
    notices = client.get("/notifications/").get_data(as_text=True)
    # The filter offers the step once, under both its names; chosen, it is the one option selected.
    filtered = client.get("/inbox/?filter=1&step=ward_office_review").get_data(as_text=True)
    options = re.findall(r'<option value="ward_office_review" ?(selected)?>([^<]*)</option>', filtered)
    assert options == [("selected", f"{SHIPPED['ward_office_review']} / {RENAMED['ward_office_review']}")]
    for dossier_id, names in world.names.items():
        task_id, name = tasks[dossier_id], names["ward_office_review"]
        assert shown[str(task_id)] == name
        assert f"<h1>{name}</h1>" in client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
        dossier_page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
        assert f"<strong>{name}</strong>" in dossier_page and f"<td>{names['unit_prepare']}</td>" in dossier_page
        other = RENAMED if names is SHIPPED else SHIPPED
        assert other["ward_office_review"] not in dossier_page.split('data-testid="path"')[0]
        note = re.search(rf'data-id="{notes[task_id]}">\s*<time>[^<]*</time>([^<]*)<', notices).group(1)
        assert note.strip() == f"Việc mới: {name} — hồ sơ “{TITLE}”."

    api = web.test_client()  # no session cookie: the token alone
    token = api.post("/api/v1/auth/token", json={"username": OFFICE, "password": DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = api.get("/api/v1/tasks?campaign=TEST-PL-ALL", headers=headers).get_json()["tasks"]
    assert {t["dossier_id"]: t["name"] for t in listed} \
        == {d: names["ward_office_review"] for d, names in world.names.items()}  # fmt: skip
    for dossier_id, names in world.names.items():
        task = api.get(f"/api/v1/tasks/{tasks[dossier_id]}", headers=headers).get_json()
        assert (task["step"], task["name"]) == ("ward_office_review", names["ward_office_review"])
        dossier = api.get(f"/api/v1/dossiers/{dossier_id}", headers=headers).get_json()
        assert [t["name"] for t in dossier["current_tasks"]] == [names["ward_office_review"]]
        assert [t["name"] for t in dossier["history"]] == [names["unit_prepare"]]


# --- No query per task ----------------------------------------------------------------------------------




def test_an_inbox_of_thirty_tasks_costs_the_statements_of_one(factory, web):
    engine, bind = Engine(FixedClock()), factory.kw["bind"]
    client = web.test_client()
    _login(client, OFFICE)

    def inbox_statements() -> tuple[list[str], int]:
        with factory() as session:
            office = actor_for(session, OFFICE)
            inbox(session, office)  # the versions' definitions cached, as after any first page
            with statements(bind) as seen:
                rows = inbox(session, office)
        return [r.step_name for r in rows], len(seen)

    def page_statements() -> tuple[int, int]:
        client.get("/inbox/")
        with statements(web.extensions["thidua.db_engine"]) as seen:
            page = client.get("/inbox/").get_data(as_text=True)
        return page.count("data-task-id="), len(seen)

    one, one_cost = inbox_statements()
    assert one == [SHIPPED["ward_office_review"]]  # the seeded demo dossier's task
    submitted(factory, engine)
    submitted(factory, engine)
    three, three_page_cost = page_statements()  # three tasks: the page shows a batch of two, as it will of 29
    assert three == 3
    for _ in range(12):
        submitted(factory, engine)
    deploy(factory, renamed_chain())
    for _ in range(15):
        submitted(factory, engine)

    thirty, thirty_cost = inbox_statements()
    assert len(thirty) == 30 and set(thirty) == {SHIPPED["ward_office_review"], RENAMED["ward_office_review"]}
    assert thirty_cost == one_cost
    assert page_statements() == (30, three_page_cost)
    # The names of the page's two versions are read in one statement, whatever the number of tasks.
    with factory() as session, statements(bind) as seen:
        versions = session.scalars(select(ProcessInstance.version_id).distinct()).all()
        seen.clear()
        step_names(session, [(v, "ward_office_review") for v in versions] + [(v, "unit_prepare") for v in versions])
        assert len(seen) == 1


def test_a_step_its_version_lacks_reads_as_its_bpmn_id(world):
    dossier_id = next(iter(world.names))
    with world.factory() as session, session.begin():
        world.open_task(session, dossier_id).bpmn_id = "no_such_step"
    with world.factory() as session:
        rows = {r.dossier_id: r.step_name for r in inbox(session, actor_for(session, OFFICE))}
        assert rows[dossier_id] == "no_such_step"
        assert step_names(session, [(world.versions[dossier_id], "no_such_step")]) \
            == {(world.versions[dossier_id], "no_such_step"): "no_such_step"}  # fmt: skip


# --- Migration 0023 -------------------------------------------------------------------------------------


def _names_now(url: str) -> dict[int, str]:
    """Every task's name as the service reads it now: what the engine wrote into the column before 0023."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(select(HumanTask.id, ProcessInstance.version_id, HumanTask.bpmn_id)
                               .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)).all()  # fmt: skip
        names = step_names(session, [(version, step) for _, version, step in rows])
    engine.dispose()
    return {task_id: names[(version, step)] for task_id, version, step in rows}


def _without_name(rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [{k: v for k, v in row.items() if k != "name"} for row in rows]


def test_migration_0023_writes_the_exact_names_back_and_drops_them_again(world, db_url):
    url, sqlite = db_url, db_url.startswith("sqlite")
    world.factory.kw["bind"].dispose()  # nothing of the fixture's holds a connection while the table is rebuilt
    expected, at_head, references = _names_now(url), task_rows(url), task_references(url)
    # The world's tasks by their own versions' names (the seeded demo's tasks are on the shipped version).
    by_dossier = {row["dossier_id"]: row["id"] for row in query_rows(url, "SELECT i.dossier_id, h.id FROM human_task h "
                  f"JOIN process_instance i ON i.id = h.instance_id WHERE h.state = {TASK_STATES['ready']}")}  # fmt: skip
    assert {d: expected[by_dossier[d]] for d in world.names} \
        == {d: names["ward_office_review"] for d, names in world.names.items()}  # fmt: skip
    assert len(expected) > 10 and "name" not in at_head[0]

    command.downgrade(alembic_config(url), BEFORE_0023)
    before, schema = task_rows(url), task_table_schema(url)
    assert {row["id"]: row["name"] for row in before} == expected
    assert _without_name(before) == at_head
    assert ("name", "VARCHAR(500)", False) in schema["columns"]
    if sqlite:  # back in its place, after the bpmn id, as 0001 made it
        assert list(before[0])[3:5] == ["bpmn_id", "name"]
    assert task_references(url) == references

    command.upgrade(alembic_config(url), "head")
    assert task_rows(url) == at_head
    assert task_references(url) == references
    assert_head_agrees_with_models(url)
    if sqlite:
        assert [name for name, _ in task_table_schema(url)["indexes"]] == [name for name, _ in schema["indexes"]]

    command.downgrade(alembic_config(url), BEFORE_0023)
    assert task_rows(url) == before
    assert task_table_schema(url) == schema
    assert task_references(url) == references
    command.upgrade(alembic_config(url), "head")
    assert_head_agrees_with_models(url)


def test_migration_0023_downgrade_refuses_a_task_without_a_name_and_changes_nothing(world, db_url):
    url = db_url
    dossier_id = next(iter(world.names))
    with world.factory() as session, session.begin():
        task = world.open_task(session, dossier_id)
        task.bpmn_id, task_id = "no_such_step", task.id
    world.factory.kw["bind"].dispose()
    command.downgrade(alembic_config(url), "0023")  # later revisions first, so the refusal is 0023's alone
    before = task_rows(url)
    refused = f"human_task {task_id}: process version {world.versions[dossier_id]} has no user task 'no_such_step'"
    with pytest.raises(ValueError, match=re.escape(refused)):
        command.downgrade(alembic_config(url), BEFORE_0023)
    assert query_rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0023"}]
    assert task_rows(url) == before and "name" not in before[0]
