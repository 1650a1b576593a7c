"""Security headers, throttled logins, and a session that changes at login."""

from __future__ import annotations

import time

from tests.web.conftest import PASSWORD, Auth


def test_every_page_sends_the_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_repeated_failures_throttle_that_user_name(client, auth: Auth):
    for _ in range(5):
        assert auth.login("hn-hd-pl.chairman", "sai-mat-khau").status_code == 401
    refused = auth.login("hn-hd-pl.chairman")  # even the right password waits now
    assert refused.status_code == 429 and "quá nhiều lần" in refused.get_data(as_text=True)
    assert auth.login("hn-hd-pl.office_clerk").status_code == 302  # other users are not affected


def test_session_cookie_is_httponly_lax_and_renewed_at_login(client, auth: Auth):
    client.get("/auth/login")
    before = client.get_cookie("session").value
    response = auth.login("hn-hd-pl.office_clerk")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get_cookie("session").value != before


def test_cookies_are_secure_behind_https(client, auth: Auth):
    response = client.get("/auth/login", base_url="https://localhost")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert not cookie or "Secure" in cookie[0]


def test_behind_a_proxy_https_and_the_client_address_are_seen(app, tmp_path):
    from dataclasses import replace

    from service.app_factory import build_app

    proxied = build_app(replace(app.config["THIDUA_CONFIG"], proxy_hops=1))
    response = proxied.test_client().get("/auth/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]


def test_slow_requests_are_logged_with_method_path_status_and_time(app, caplog):
    from dataclasses import replace

    from service.app_factory import build_app

    every = build_app(replace(app.config["THIDUA_CONFIG"], slow_request_ms=1))  # every request counts as slow

    def slow() -> str:
        time.sleep(0.005)
        return "xong"

    every.add_url_rule("/chậm", "slow", slow)
    with caplog.at_level("WARNING"):
        assert every.test_client().get("/chậm").status_code == 200
    assert any(r.getMessage().startswith("slow request: GET /chậm -> 200 in ") for r in caplog.records)

    quiet = build_app(replace(app.config["THIDUA_CONFIG"], slow_request_ms=0))  # 0 turns the log off
    caplog.clear()
    with caplog.at_level("WARNING"):
        assert quiet.test_client().get("/auth/login").status_code == 200
    assert not [r for r in caplog.records if "slow request" in r.getMessage()]


def test_failures_count_across_server_processes_and_through_the_api(app, client, auth: Auth, clock):
    """Two app instances on one database stand for two processes (or hosts): failures through the other one's
    API count here, the API refuses with 429 too, and refused attempts are audited without counting."""
    from sqlalchemy import func, select

    from service.app_factory import build_app
    from service.db import make_engine, make_session_factory
    from service.models import AuditEvent

    other = build_app(app.config["THIDUA_CONFIG"], clock=clock).test_client()
    for _ in range(4):
        answer = other.post("/api/v1/auth/token", json={"username": "hn-hd-pl.chairman", "password": "sai"})
        assert answer.status_code == 401
    assert auth.login("hn-hd-pl.chairman", "sai-mat-khau").status_code == 401  # the fifth, on this one
    refused = other.post("/api/v1/auth/token", json={"username": "hn-hd-pl.chairman", "password": PASSWORD})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_attempts"
    assert auth.login("hn-hd-pl.chairman").status_code == 429
    engine = make_engine(app.config["THIDUA_CONFIG"].database_url)
    with make_session_factory(engine)() as session:
        counts = dict(session.execute(select(AuditEvent.action, func.count()).where(
            AuditEvent.object_id == "hn-hd-pl.chairman").group_by(AuditEvent.action)).all())  # fmt: skip
    engine.dispose()
    assert counts == {"auth.login_failed": 5, "auth.login_throttled": 2}
    clock.advance(minutes=5, seconds=1)  # the window has passed: the right password works again
    assert auth.login("hn-hd-pl.chairman").status_code == 302


def test_api_answers_carry_the_security_headers_once_and_no_session_cookie(app, client):
    @app.get("/_test/own-policy")
    def own_policy():  # type: ignore[no-untyped-def]
        return "x", 200, {"Content-Security-Policy": "default-src 'none'", "x-frame-options": "SAMEORIGIN"}

    token = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl.office_clerk", "password": PASSWORD})
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    assert response.status_code == 200
    for name, value in [("Content-Security-Policy", None), ("X-Frame-Options", "DENY"),
                        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin")]:  # fmt: skip
        assert len(response.headers.getlist(name)) == 1 and (value is None or response.headers[name] == value)
    assert "Set-Cookie" not in response.headers
    own = client.get("/_test/own-policy")  # a response's own policy is kept, not doubled
    assert own.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]


def test_a_session_read_or_changed_without_a_cookie_is_still_saved(client):
    chosen = client.get("/auth/login?lang=en")  # no cookie yet: the language is written to a new session
    assert any(h.startswith("session=") for h in chosen.headers.getlist("Set-Cookie"))
    assert "Cookie" in chosen.headers["Vary"]
    assert "Sign in" in client.get("/auth/login").get_data(as_text=True)  # and read back from the cookie
