"""Assemble the Flask app: config, database, engine, login, i18n, CSRF, blueprints and error pages."""

from __future__ import annotations

from pathlib import Path

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from workflows import SYSTEM_CLOCK, Clock, Engine

from .config import Config
from .db import READ_OPTIONS, make_engine, make_session_factory
from .storage import FileStore

REPO_ROOT = Path(__file__).resolve().parent.parent


class BoundedInt(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def build_app(config: Config | None = None, clock: Clock = SYSTEM_CLOCK) -> Flask:
    """Create a configured app; nothing is created at import time."""
    config = config or Config.from_env()
    app = Flask(
        "thidua",
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "service" / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        THIDUA_CONFIG=config,
    )
    db_engine = make_engine(config.database_url)
    # <int:…> in URLs stops at the largest id the database can hold: bigger ids are 404, never a 500.
    app.url_map.converters["int"] = BoundedInt
    app.extensions["thidua.db_engine"] = db_engine
    app.extensions["thidua.session_factory"] = make_session_factory(db_engine)
    # A request's session reads through this: on PostgreSQL its transactions cannot write, on SQLite they
    # begin deferred (no write lock), unless web.context.transaction() asks for a writing one.
    app.extensions["thidua.read_bind"] = db_engine.execution_options(**READ_OPTIONS)
    app.extensions["thidua.engine"] = Engine(clock)
    app.extensions["thidua.files"] = FileStore(config.upload_dir)

    from .web import admin, audit, auth, campaigns, dossiers, inbox, pages, processes, records
    from .web.api import init_api
    from .web.context import close_session, forget_origin, navigation, remember_origin
    from .web.csrf import init_csrf
    from .web.errors import init_errors
    from .web.security import init_security
    from .web.timing import init_timing
    from .web.i18n import init_i18n

    app.teardown_appcontext(close_session)
    app.context_processor(navigation)
    app.before_request(remember_origin)
    app.teardown_request(forget_origin)
    init_timing(app, config.slow_request_ms)
    init_i18n(app)
    init_csrf(app)
    auth.init_auth(app)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(dossiers.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(campaigns.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(processes.bp)
    from .web import instances  # instance admin: suspend, resume, cancel, reassign, migrate

    app.register_blueprint(instances.bp)
    from .web import notifications  # in-app notifications and the header's unread count

    app.register_blueprint(notifications.bp)
    from .web import org_admin  # org unit tree over time: renames, mergers, abolished levels

    app.register_blueprint(org_admin.bp)
    from .web import account  # the signed-in user's own password

    app.register_blueprint(account.bp)
    init_api(app)
    if config.proxy_hops:
        # Behind a reverse proxy: trust its X-Forwarded-For/-Proto, so HTTPS and client IPs are seen.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_hops, x_proto=config.proxy_hops)  # type: ignore[method-assign]
    init_security(app)
    init_errors(app)
    return app
