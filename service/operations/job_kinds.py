"""The built-in job kinds. Importing this module registers their handlers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from .jobs import JobContext, handler


@handler("noop")
def noop(_session: Session, _payload: dict[str, Any], _context: JobContext) -> None:
    """Does nothing; useful to check that workers are alive (`thidua jobs enqueue noop`)."""


@handler("send_email")
def send_email(_session: Session, payload: dict[str, Any], _context: JobContext) -> None:
    """Send one UTF-8 e-mail through the configured SMTP server (THIDUA_SMTP_*); raises (so retries) on failure."""
    import smtplib
    from email import policy
    from email.message import EmailMessage

    from ..config import smtp_settings

    settings = smtp_settings()
    if settings is None:
        raise RuntimeError("THIDUA_SMTP_HOST is not set: the e-mail stays queued until SMTP is configured")
    # Long lines allowed (998, RFC 5322): Python's folding of UTF-8 encoded words can drop the spaces between them.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["From"], message["To"], message["Subject"] = settings.sender, payload["to"], payload["subject"]
    message.set_content(payload["body"], charset="utf-8")
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


# Documents a worker can render in the background: name → (generator, the payload keys it takes).
RENDERERS = {"report": "campaign_code", "proposal": "dossier_id"}


def request_document(session: Session, actor_user_id: int | None, document: str, **arguments: Any) -> int:
    """Enqueue a `render_document` job in the caller's transaction; returns the job id."""
    from ..errors import InvalidInput
    from .jobs import enqueue

    if document not in RENDERERS or set(arguments) != {RENDERERS[document]}:
        raise InvalidInput("Không tạo được văn bản '{document}' trong nền.", {"document": document})
    return enqueue(session, "render_document", {"document": document, "user_id": actor_user_id, **arguments}).id


@handler("render_document")
def render_document(session: Session, payload: dict[str, Any], context: JobContext) -> None:
    """Render a document PDF with WeasyPrint as the requesting user and store it like the pages do."""
    from ..config import Config
    from ..db import utcnow
    from ..domain.actors import SYSTEM
    from ..models import User
    from ..storage import FileStore
    from .accounts import actor_for_user
    from .official_documents import generate_proposal, generate_report

    config: Config | None = context.settings.get("config")
    if config is None:
        raise RuntimeError("render_document needs the worker's configuration (upload folder)")
    user = session.get(User, payload["user_id"]) if payload.get("user_id") else None
    actor = actor_for_user(session, user) if user is not None else SYSTEM
    store, now = FileStore(config.upload_dir), utcnow()
    if payload["document"] == "report":
        generate_report(session, actor, store, now, payload["campaign_code"])
    elif payload["document"] == "proposal":
        generate_proposal(session, actor, store, now, int(payload["dossier_id"]))
    else:
        raise LookupError(f"unknown document {payload['document']!r}")


def _make_certificates(factory: sessionmaker[Session], payload: dict[str, Any], context: JobContext) -> Any:
    """A decision's certificates, laid out and stored chunk by chunk outside the job's transaction (each chunk
    committed on its own, so the campaign page counts them as they come); the PDF of all of them is returned."""
    from ..domain.actors import SYSTEM
    from ..models import User
    from ..storage import FileStore
    from .accounts import actor_for_user
    from .decisions import make_certificates
    from .jobs import still_claimed

    with factory() as session:
        user = session.get(User, payload["user_id"]) if payload.get("user_id") else None
        actor = actor_for_user(session, user) if user is not None else SYSTEM
    return make_certificates(factory, FileStore(_upload_dir(context)), int(payload["decision_id"]), actor,
                             lambda session: still_claimed(session, context))  # fmt: skip


# A thousand certificates take a few minutes to lay out: the lease is stretched while they are made.
@handler("decision_certificates", prepare=_make_certificates, lease=timedelta(hours=1))
def decision_certificates(session: Session, payload: dict[str, Any], context: JobContext) -> None:
    """Store the one PDF of all the decision's certificates (its last step: the page then offers it)."""
    from ..domain.actors import SYSTEM
    from ..models import User
    from ..storage import FileStore
    from .accounts import actor_for_user
    from .decisions import store_all_certificates

    if context.prepared is None:
        return  # stored by an earlier attempt
    user = session.get(User, payload["user_id"]) if payload.get("user_id") else None
    actor = actor_for_user(session, user) if user is not None else SYSTEM
    store_all_certificates(session, FileStore(_upload_dir(context)), actor, int(payload["decision_id"]),
                           context.prepared)  # fmt: skip


def _upload_dir(context: JobContext) -> Any:
    config = context.settings.get("config")
    if config is None:
        raise RuntimeError("decision_certificates needs the worker's configuration (upload folder)")
    return config.upload_dir


def _check_audit_trail(factory: sessionmaker[Session], _payload: dict[str, Any], _context: JobContext) -> Any:
    """The audit_verify job's walk of the trail, in its own read-only snapshot (no write lock held meanwhile)."""
    from .audit_verification import check_in_snapshot

    return check_in_snapshot(factory)


# A million events take minutes: the claim's lease is stretched while the walk runs (see jobs.handler).
@handler("audit_verify", prepare=_check_audit_trail, lease=timedelta(hours=1))
def audit_verify(session: Session, payload: dict[str, Any], context: JobContext) -> None:
    """Store the verification asked for on the audit page (operations.audit_verification) and its audit event."""
    from ..db import utcnow
    from .audit_verification import record_result

    record_result(session, int(payload["verification_id"]), context.prepared, utcnow())
