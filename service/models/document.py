"""Uploaded documents of a dossier, kept by sha256 outside the web root; replaced ones stay on record."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, str_enum, utcnow
from .audit import Sha256Digest


class DocumentKind(enum.StrEnum):
    meeting_minutes = "meeting_minutes"  # biên bản họp bình xét
    proposal_letter = "proposal_letter"  # tờ trình
    achievement_report = "achievement_report"  # báo cáo thành tích (per nominee)
    summary_sheet = "summary_sheet"  # trích ngang (per nominee)
    other = "other"


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_dossier_current", "dossier_id", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("nominee.id"))
    kind: Mapped[str] = mapped_column(str_enum(DocumentKind))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int]
    # The file's sha256: hex text to the service, 32 bytes in the row (migration 0022). Not indexed: nothing
    # looks a document up by its digest; the files' clean-up reads the whole column (migration 0026).
    sha256: Mapped[str] = mapped_column(Sha256Digest())
    is_current: Mapped[bool] = mapped_column(default=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
