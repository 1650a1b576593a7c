"""Pages and the API name a nominee's award as the dossier's campaign does, as the dossier page's table does:
the chairman's task form, the batch screen and the dossier JSON. The seed's catalogue names GK-XA generically
("... phường/xã"); TEST-PL-ALL names it for Phú Lãm."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from service.models import AwardForm
from service.operations.tasks import open_task_for
from tests.web.conftest import Auth
from tests.web.test_api import login
from tests.web.test_batches import at_ward_chairman

WARD = "Giấy khen của Chủ tịch UBND phường Phú Lãm"  # as TEST-PL-ALL names GK-XA


def catalogue_name(app, code: str) -> str:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        name = session.scalar(select(AwardForm.name).where(AwardForm.code == code))
    assert name and name not in WARD and WARD not in name  # the test means something only if the names differ
    return name


def row_of(page: str, full_name: str, marker: str = "") -> str:
    """The table row (<tr>…</tr>) that names the nominee (and holds `marker`), unescaped."""
    rows = [html.unescape(r) for r in re.findall(r"<tr\b.*?</tr>", page, re.S)
            if full_name in html.unescape(r) and marker in r]  # fmt: skip
    assert rows, f"no row for {full_name}"
    return rows[0]


def test_the_chairmans_task_form_names_each_nominees_award_as_the_campaign_does(app, client, auth: Auth):
    generic = catalogue_name(app, "GK-XA")
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Người được đề nghị"], award="GK-XA")
    with app.extensions["thidua.session_factory"]() as session:
        task_id = open_task_for(session, dossier_id).id
    auth.login("hn-hd-pl.chairman")
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    row = row_of(page, "Người được đề nghị", 'name="nominee_')  # the decision form's row, not the dossier's table
    assert WARD in row and generic not in row
    dossier = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)  # as the dossier page's table does
    assert WARD in row_of(dossier, "Người được đề nghị")


def test_the_batch_screen_names_each_nominees_award_as_the_campaign_does(app, client, auth: Auth):
    generic = catalogue_name(app, "GK-XA")
    at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"], award="GK-XA")
    at_ward_chairman(app, "HN-HD-PL-VH", ["Người hai"], award="GK-XA")
    auth.login("hn-hd-pl.chairman")
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    for name in ("Người một", "Người hai"):
        row = row_of(page, name)
        assert WARD in row and generic not in row, name


def test_the_dossier_json_names_the_award_as_the_campaign_does(app, client):
    catalogue_name(app, "GK-XA")
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Người trong API"], award="GK-XA")
    headers = login(client, "hn-hd-pl.chairman")
    got = client.get(f"/api/v1/dossiers/{dossier_id}", headers=headers)
    assert got.status_code == 200, got.get_json()
    (nominee,) = got.get_json()["nominees"]
    assert (nominee["award_form_code"], nominee["award_form_name"]) == ("GK-XA", WARD)
