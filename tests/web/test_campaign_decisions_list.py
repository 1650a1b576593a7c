"""The campaign page names the body that issued each decision: every level numbers its own from 1."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.models import OrgUnit
from service.operations.accounts import actor_for
from service.operations.decisions import issue_decision
from service.storage import FileStore
from tests.conftest import FILES
from tests.operations.test_decisions import grant_at_ward
from tests.web.conftest import Auth


def test_each_decision_is_listed_with_its_issuer(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Nguyễn Thị Hương"])
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                       campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name="Nguyễn Văn Thành")  # fmt: skip
        ward_name = ward.name
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    line = re.search(r'<li data-decision="\d+">([^(]*)\(', page).group(1).strip()
    assert line == f"01/QĐ-UBND — {ward_name}"
    assert "Quyet-dinh-1-" in page and "-HN-HD-PL.pdf" in page
