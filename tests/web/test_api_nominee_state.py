"""The API says where each nominee stands, as the pages do: a draft's or a withdrawn dossier's nominees are not
'under review' (their `outcome` is null either way)."""

from __future__ import annotations

from sqlalchemy import select

from service.models import Dossier
from tests.web.conftest import PASSWORD, submit_dossiers


def _dossier(client, token: str, dossier_id: int) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/dossiers/{dossier_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.get_json()


def test_each_nominee_has_its_state(app, client):
    [task_id] = submit_dossiers(app, 1)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        draft = session.scalar(select(Dossier.id).where(Dossier.status == "draft").order_by(Dossier.id).limit(1))
        sent = session.scalar(select(Dossier.id).where(Dossier.status == "in_review").order_by(Dossier.id.desc()).limit(1))
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).get_json()["token"]
    assert {n["state"] for n in _dossier(client, token, draft)["nominees"]} == {"draft"}
    assert {n["state"] for n in _dossier(client, token, sent)["nominees"]} == {"travelling"}
    with factory() as session, session.begin():
        session.get(Dossier, draft).status = "withdrawn"
    nominees = _dossier(client, token, draft)["nominees"]
    assert {n["state"] for n in nominees} == {"withdrawn"} and {n["outcome"] for n in nominees} == {None}
    assert task_id
