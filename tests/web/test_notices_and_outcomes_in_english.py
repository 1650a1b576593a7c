"""In English the notifications page words each notice in English, and the dossier page says at which level a
nominee was granted or turned down as an English sentence; Vietnamese stays the default. Choosing a language
while signed in is kept with the account (the e-mails' language)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.domain.nominee_outcomes import NomineeResult
from service.models import Dossier, Nominee, User
from service.operations.accounts import actor_for
from service.operations.preferences import stored_locale
from service.operations.tasks import complete_task, open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_batches import at_ward_chairman
from tests.web.test_outcome_notices import _items

CLERK = "hn-hd-pl-tp.unit_clerk"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _ended_at_the_ward(app) -> tuple[int, str, dict[str, int]]:
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Vũ Thị Hạnh", "Lê Văn Bình"], award="GK-XA")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        title = session.get(Dossier, dossier_id).title
        nominees = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, open_task_for(session, dossier_id).id,
                      "approve", nominee_results={nominees["Lê Văn Bình"]: NomineeResult(False, "Chưa đủ 2 năm công tác")})
    return dossier_id, title, nominees


def test_the_outcome_reads_in_english_on_the_notifications_and_dossier_pages(app, client, auth: Auth, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id, title, nominees = _ended_at_the_ward(app)
    auth.login(CLERK)
    vietnamese = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Được khen cấp phường/xã" in vietnamese and "Không được khen cấp phường/xã" in vietnamese

    english = " ".join(_items(client.get("/notifications/?lang=en").get_data(as_text=True)).values())
    assert (f"Dossier “{title}” was granted in part. Granted: Giấy khen của Chủ tịch UBND phường Phú Lãm (Vũ Thị Hạnh). "
            "Not granted: Lê Văn Bình (ward/commune level: Chưa đủ 2 năm công tác).") in english
    assert "Hồ sơ “" not in english and "Việc mới" not in english
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    granted = page.split(f'data-testid="outcome-{nominees["Vũ Thị Hạnh"]}"')[1].split("</td>")[0]
    refused = page.split(f'data-testid="outcome-{nominees["Lê Văn Bình"]}"')[1].split("</td>")[0]
    assert "Granted at ward/commune level" in granted and "Not granted at ward/commune level" in refused
    assert "Awarded" not in page and "cấp phường/xã" not in granted + refused

    back = " ".join(_items(client.get("/notifications/?lang=vi").get_data(as_text=True)).values())
    assert f"Hồ sơ “{title}” được khen thưởng một phần." in back


def test_the_language_chosen_while_signed_in_is_kept_with_the_account(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    auth.login(CLERK)
    with factory() as session:
        clerk = session.scalar(select(User.id).where(User.username == CLERK))
        assert stored_locale(session, clerk) is None
    client.get("/notifications/?lang=en")
    with factory() as session:
        assert stored_locale(session, clerk) == "en"
    client.get("/notifications/?lang=vi")
    with factory() as session:
        assert stored_locale(session, clerk) == "vi"
