"""The version migration form: it opens on the versions a migration needs (from the oldest one still running to the
newest), a refused preview or migration shows why on the form with the versions kept (not a bare error page), and
the migration itself asks for confirmation first."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from service.domain.actors import Actor
from service.models import AuditEvent, ProcessDefinition, ProcessInstance, ProcessVersion
from service.operations.definitions import deploy_definition
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level
from tests.web.conftest import Auth

SAME = "Chỉ chuyển giữa hai phiên bản khác nhau của cùng một quy trình."


def _second_version(app) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """Deploys the chain without its district level; (id of the version the demo's dossiers run on, id of the new
    one, the process key)."""
    reroute = {"district_noi_vu_review": "province_ban_review", "district_chairman_decide": "ward_chairman_decide"}
    xml = remove_level(CHAIN.read_bytes(), "district", reroute)
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        v1 = session.scalar(select(ProcessInstance.version_id).where(ProcessInstance.status == "running").limit(1))
        key = session.get(ProcessDefinition, session.get(ProcessVersion, v1).definition_id).key
        v2 = deploy_definition(session, Actor(None, "admin"), xml, comment="Bỏ cấp huyện").version.id
    return v1, v2, key


def _selected(page: str, name: str) -> list[str]:
    """The values of the options selected in the <select name=`name`>."""
    select_html = page.split(f'<select name="{name}">')[1].split("</select>")[0]
    return re.findall(r'<option value="(\d+)" selected>', select_html)


def _migrations(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "instance.migrate"))  # fmt: skip


def test_the_form_opens_from_the_oldest_running_version_to_the_newest(app, client, auth: Auth):
    v1, v2, _ = _second_version(app)
    auth.login("admin")
    page = client.get("/instances/migrate").get_data(as_text=True)
    assert _selected(page, "from_version") == [str(v1)] and _selected(page, "to_version") == [str(v2)]
    assert 'data-testid="migration-lines"' not in page  # a first visit previews nothing yet
    # Choosing and previewing keeps what was chosen.
    chosen = client.get(f"/instances/migrate?from_version={v2}&to_version={v1}").get_data(as_text=True)
    assert _selected(chosen, "from_version") == [str(v2)] and _selected(chosen, "to_version") == [str(v1)]


def test_a_refused_preview_is_said_on_the_form_with_the_versions_kept(app, client, auth: Auth):
    v1, _, _ = _second_version(app)
    auth.login("admin")
    refused = client.get(f"/instances/migrate?from_version={v1}&to_version={v1}")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    shown = re.search(r'data-testid="migrate-error">([^<]*)<', page)
    assert shown and html.unescape(shown.group(1)) == SAME
    assert 'data-testid="migrate-pick"' in page  # the form, to choose again
    assert _selected(page, "from_version") == [str(v1)] and _selected(page, "to_version") == [str(v1)]
    english = client.get(f"/instances/migrate?from_version={v1}&to_version={v1}&lang=en").get_data(as_text=True)
    assert "Migration is only between two different versions of the same process." in english
    assert 'data-testid="migrate-pick"' in english


def test_a_refused_migration_is_said_on_the_form_and_moves_nothing(app, client, auth: Auth):
    v1, v2, _ = _second_version(app)
    auth.login("admin")
    token = auth.token("/instances/migrate")
    before = _migrations(app)
    refused = client.post("/instances/migrate", data={"from_version": v1, "to_version": v1, "_csrf": token})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'data-testid="migrate-pick"' in page
    assert SAME in html.unescape(page) and _selected(page, "from_version") == [str(v1)]
    nothing = client.post("/instances/migrate", data={"_csrf": token})
    page = nothing.get_data(as_text=True)
    assert nothing.status_code == 400 and 'data-testid="migrate-pick"' in page
    assert "Chọn phiên bản nguồn và phiên bản đích." in html.unescape(page)
    assert _migrations(app) == before
    with app.extensions["thidua.session_factory"]() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)
                              .where(ProcessInstance.version_id == v2)) == 0  # fmt: skip


def test_applying_a_migration_asks_first(app, client, auth: Auth):
    v1, v2, key = _second_version(app)
    auth.login("admin")
    page = client.get(f"/instances/migrate?from_version={v1}&to_version={v2}").get_data(as_text=True)
    movable = len(re.findall(r'data-can="yes"', page))
    form = re.search(r'<form method="post"[^>]*data-testid="migrate-apply"[^>]*>', page, re.S)
    assert movable and form
    asked = re.search(r'data-confirm="([^"]*)"', form.group(0))
    assert asked and html.unescape(asked.group(1)) == (
        f"Chuyển {movable} hồ sơ từ {key} v1 sang {key} v2? "
        "Bộ máy quy trình sẽ chạy lại trên trạng thái của từng hồ sơ.")
    english = client.get(f"/instances/migrate?from_version={v1}&to_version={v2}&lang=en").get_data(as_text=True)
    assert html.unescape(f"Move {movable} dossiers from {key} v1 to {key} v2?") in html.unescape(english)
