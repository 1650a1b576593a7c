"""The demo as `make run` serves it on 7 December 2026: a rehearsal staged that day, walkable in the browser.

The other web tests run on the demo with the plans' own (2024, 2015) dates; this module builds its own database,
staged by load_demo(as_of=that day), and serves it with the app's clock on that day.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest
from flask import Flask

from service.app_factory import build_app
from service.config import Config
from service.db import make_engine, make_session_factory, session_scope, upgrade_schema
from service.domain.actors import Actor
from service.domain.deadlines import VN
from service.operations.definitions import deploy_definition
from service.operations.demo import load_demo
from service.storage import FileStore
from tests.conftest import CHAIN, FILES
from tests.web.conftest import PASSWORD, Auth, csrf_from
from workflows import FixedClock

TODAY = date(2026, 12, 7)
NOTE = "Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời 752 ngày để diễn tập."


@pytest.fixture(scope="module")
def staged_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-today") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_schema(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        deploy_definition(session, Actor(None, "test"), CHAIN.read_bytes(), filename=CHAIN.name)
        load_demo(session, PASSWORD, FileStore(FILES), TODAY)
    engine.dispose()
    return path


@pytest.fixture
def app(staged_template: Path, tmp_path: Path) -> Flask:
    db = tmp_path / "app.sqlite3"
    shutil.copy(staged_template, db)
    config = replace(Config.for_tests(database_url=f"sqlite:///{db}", instance_dir=tmp_path), upload_dir=FILES)
    # An hour and a half after the demo was staged (08:00), as someone opening it that morning.
    return build_app(config, clock=FixedClock(datetime.combine(TODAY, time(9, 30), tzinfo=VN)))


def test_the_campaign_page_says_it_is_a_rehearsal_and_registration_is_open(client, auth: Auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    page = client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)
    assert NOTE in page and "31/12/2026" in page and "năm 2024 trên địa bàn phường Phú Lãm" in page
    assert 'data-testid="registration-closed"' not in page
    unit_id = re.search(r'name="unit_id" value="(\d+)"', page).group(1)
    response = client.post("/campaigns/PL-CCHC-2024/register", data={"_csrf": csrf_from(page), "unit_id": unit_id})
    assert response.status_code == 302
    assert "<li>Bộ phận Tư pháp - Hộ tịch</li>" in client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)


def test_the_clerk_submits_demo_dossier_1_and_nothing_in_the_inboxes_is_overdue(client, auth: Auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    form = client.get("/dossiers/new").get_data(as_text=True)
    assert "đã hết hạn nộp" not in form  # no shipped plan is past its deadline
    page = client.get("/dossiers/1").get_data(as_text=True)
    assert "Đề nghị khen thưởng Bộ phận Tư pháp - Hộ tịch" in page and 'data-testid="submit-form"' in page
    response = client.post("/dossiers/1/submit", data={"_csrf": csrf_from(page)})
    assert response.status_code == 302
    assert "Đang xét duyệt" in client.get("/dossiers/1").get_data(as_text=True)
    auth.logout()
    auth.login("hn-hd-pl.office_clerk")
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert 'href="/dossiers/1"' in inbox and 'href="/dossiers/2"' in inbox  # demo dossier #2 waits here since 08:00
    assert "Quá hạn" not in inbox and 'class="overdue"' not in inbox
