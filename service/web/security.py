"""Security headers on every response, secure cookies behind HTTPS, and login throttling."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")  # fmt: skip


class SessionOverHttps(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (decided per request, thread-safe)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_security(app: Flask) -> None:
    app.session_interface = SessionOverHttps()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            # Served over HTTPS, no cookie may travel in clear text later (decided per response: thread-safe).
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                response.headers.remove("Set-Cookie")
                for cookie in cookies:
                    response.headers.add("Set-Cookie", cookie if "; Secure" in cookie else cookie + "; Secure")
        return response


class LoginThrottle:
    """Refuse logins for a while after repeated failures, per user name and per IP address.

    Kept in process memory: with several server processes each counts its own attempts,
    which still bounds guessing per process.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 300.0, max_per_ip: int = 20) -> None:
        self.max_failures, self.window_s, self.max_per_ip = max_failures, window_s, max_per_ip
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        entries = self._failures[key]
        while entries and entries[0] <= now - self.window_s:
            entries.popleft()
        return entries

    def blocked(self, username: str, ip: str | None) -> bool:
        now = time.monotonic()
        with self._lock:
            by_user = len(self._recent(f"u:{username.casefold()}", now))
            by_ip = len(self._recent(f"ip:{ip}", now))
        return by_user >= self.max_failures or by_ip >= self.max_per_ip

    def failed(self, username: str, ip: str | None) -> None:
        now = time.monotonic()
        with self._lock:
            self._failures[f"u:{username.casefold()}"].append(now)
            self._failures[f"ip:{ip}"].append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.casefold()}", None)
