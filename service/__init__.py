"""Thi đua service: the Flask app, SQLAlchemy models, domain rules, operations and CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Any = None, **kwargs: Any) -> Flask:
    """Create the Flask app (see service.app_factory.build_app); Flask is imported only when called."""
    from .app_factory import build_app

    return build_app(config, **kwargs)
