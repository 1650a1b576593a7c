"""The OpenAPI document: valid, describing exactly the routes the app serves, and the API keeping to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from service.app_factory import build_app
from service.config import Config
from service.storage import FileStore
from service.web.api.openapi import document
from tests.conftest import FILES
from tests.web.conftest import PASSWORD
from workflows import FixedClock


def served_operations(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path in OpenAPI form) of every /api/v1 route registered on the app."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            out |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_openapi_document_is_valid_and_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate(doc)
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert doc == document()


def test_every_route_is_documented_and_nothing_else(app):
    doc = document()
    documented = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert served_operations(app) == documented


def test_every_operation_documents_its_errors_and_protected_ones_their_token(app):
    doc = document()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert "500" in op["responses"], (method, path)
            public = op.get("security") == []
            assert public == (path in ("/auth/token", "/openapi.json")), (method, path)
            if not public:
                assert "401" in op["responses"] and op["responses"]["401"]["headers"]["WWW-Authenticate"]
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == name and p["in"] == "path" for p in op["parameters"]), (method, path, name)


# Schemathesis: generated requests, valid and invalid, against the document -----------------------------------------
# Business rules the schema cannot state (a unit that is not a "unit", a form the campaign does not offer, a deadline)
# answer schema-valid requests with 400 or 422; those are accepted, a 5xx or a response off the document never is.
# The token endpoint answers 429 once generated wrong passwords pass the throttle's limit (20 per address in
# five minutes, and the test's clock stands still): a schema-valid request refused as the document says it may be.
ACCEPTED_REFUSALS = ["2xx", "400", "401", "403", "404", "409", "422", "429"]


@pytest.fixture
def any_db_app(db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Flask]:
    """The app on a seeded SQLite copy and on a seeded PostgreSQL database (tests/conftest.py's db_url)."""
    app = build_app(Config.for_tests(database_url=db_url, instance_dir=tmp_path), clock=clock)
    app.extensions["thidua.files"] = FileStore(FILES)  # where the seed put the demo dossiers' files
    yield app
    app.extensions["thidua.db_engine"].dispose()


@pytest.mark.parametrize("username", ["hn-hd-pl-tc.unit_clerk", "hn-hd-pl.office_clerk"])
def test_generated_requests_get_no_5xx_and_responses_keep_to_the_document(any_db_app, username):
    app, client = any_db_app, any_db_app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    checks = {"positive_data_acceptance": {"expected-statuses": ACCEPTED_REFUSALS}}
    config = SchemathesisConfig.from_dict({"checks": checks})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    cases = st.one_of(schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=25, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=bearer)

    check()


def test_nul_characters_are_refused_before_they_reach_the_database(any_db_app):
    client = any_db_app.test_client()
    assert client.post("/api/v1/auth/token", json={"username": "admin\x00", "password": "x"}).status_code == 400
    token = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl-tc.unit_clerk", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/tasks?campaign=PL%00", headers=bearer).status_code == 400
    created = client.post("/api/v1/dossiers", headers=bearer, json={
        "campaign_code": "PL\x00", "unit_id": 1, "title": "x",
        "nominees": [{"kind": "individual", "full_name": "A", "award_form_code": "GK\x00XA"}]})  # fmt: skip
    assert created.status_code == 400 and created.get_json()["error"]["details"]["field"] == "award_form_code"
