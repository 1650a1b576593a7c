"""Configuration read from the environment, with documented defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_DIR = REPO_ROOT / "instance"


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    demo_password: str = "demo"
    upload_dir: Path = DEFAULT_INSTANCE_DIR / "uploads"
    timezone: str = "Asia/Ho_Chi_Minh"
    proxy_hops: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (THIDUA_PROXY_HOPS)
    slow_request_ms: int = 1000  # requests slower than this are logged (THIDUA_SLOW_REQUEST_MS; 0 = off)
    # Days before a forward-by deadline the worker reminds the officials holding a task (THIDUA_REMINDER_DAYS; 0 = off)
    reminder_days: int = 3  # domain.deadlines.SOON_DAYS (not imported: the configuration stands alone)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, instance_dir: Path | None = None) -> Config:
        """DATABASE_URL, THIDUA_SECRET_KEY, THIDUA_DEMO_PASSWORD, THIDUA_UPLOAD_DIR; defaults under instance/."""
        env = os.environ if environ is None else environ
        folder = Path(env.get("THIDUA_INSTANCE_DIR") or instance_dir or DEFAULT_INSTANCE_DIR)
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{folder / 'thidua.sqlite3'}",
            secret_key=env.get("THIDUA_SECRET_KEY") or _stored_secret(folder),
            demo_password=env.get("THIDUA_DEMO_PASSWORD") or "demo",
            upload_dir=Path(env.get("THIDUA_UPLOAD_DIR") or folder / "uploads"),
            proxy_hops=_whole_number(env, "THIDUA_PROXY_HOPS"),
            slow_request_ms=_whole_number(env, "THIDUA_SLOW_REQUEST_MS", default=1000),
            reminder_days=_whole_number(env, "THIDUA_REMINDER_DAYS", default=3),
        )

    @classmethod
    def for_tests(cls, database_url: str, instance_dir: Path) -> Config:
        """A config that touches nothing outside `instance_dir`."""
        return cls(database_url=database_url, secret_key="test-" + secrets.token_hex(16),
                   upload_dir=instance_dir / "uploads")  # fmt: skip

    def with_database(self, url: str) -> Config:
        return replace(self, database_url=url)


def _whole_number(env: Mapping[str, str], name: str, default: int = 0) -> int:
    raw = (env.get(name) or str(default)).strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(f"{name} must be a whole number (0 or more), got {raw!r}")
    return int(raw)


def _stored_secret(folder: Path) -> str:
    """A random key created once per installation and kept in instance/secret_key (mode 0600)."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written whole to a private file, then linked into place: a second server process starting at the
    # same moment either links first or reads a complete key, never an empty or half-written file.
    draft = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        os.link(draft, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    finally:
        draft.unlink()
    return key


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail (THIDUA_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS); THIDUA_BASE_URL for links."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "thidua@localhost"
    starttls: bool = False
    base_url: str = "http://127.0.0.1:5000"


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The SMTP settings, or None when THIDUA_SMTP_HOST is unset (no e-mail is sent then)."""
    env = os.environ if environ is None else environ
    host = (env.get("THIDUA_SMTP_HOST") or "").strip()
    if not host:
        return None
    port = (env.get("THIDUA_SMTP_PORT") or "25").strip()
    if not (port.isascii() and port.isdigit()):
        raise ValueError(f"THIDUA_SMTP_PORT must be a port number, got {port!r}")
    return SmtpSettings(
        host=host, port=int(port), user=env.get("THIDUA_SMTP_USER") or None,
        password=env.get("THIDUA_SMTP_PASSWORD") or None, sender=env.get("THIDUA_SMTP_FROM") or "thidua@localhost",
        starttls=(env.get("THIDUA_SMTP_STARTTLS") or "").strip().lower() in ("1", "true", "yes", "on"),
        base_url=(env.get("THIDUA_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
    )  # fmt: skip
