"""Security headers on every response and secure cookies behind HTTPS (login throttling: operations/login_throttle.py)."""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")  # fmt: skip


# Sent on every response that does not set its own; the HTTPS-only ones are added over HTTPS.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)


class SessionOverHttps(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (decided per request, thread-safe).

    A request without a session cookie (every API call: the API authenticates by bearer token) gets an
    empty session without the signing serializer being built first: Flask's own open_session returns the
    same empty session then, after building it (itsdangerous' serializer and signer, on every request)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_security(app: Flask) -> None:
    app.session_interface = SessionOverHttps()

    @app.after_request
    def headers(response: Response) -> Response:
        # One pass over the response's few headers; Headers.setdefault would look each name up by raising
        # and catching a KeyError when it is absent, as it almost always is.
        present = {name.lower() for name, _ in response.headers}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                response.headers.add(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            # Served over HTTPS, no cookie may travel in clear text later (decided per response: thread-safe).
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                response.headers.remove("Set-Cookie")
                for cookie in cookies:
                    response.headers.add("Set-Cookie", cookie if "; Secure" in cookie else cookie + "; Secure")
        return response
