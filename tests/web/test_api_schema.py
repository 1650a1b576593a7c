"""The OpenAPI document: valid, describing exactly the routes the app serves, and the API keeping to it."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from service.web.api.openapi import document


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
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"]}
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
