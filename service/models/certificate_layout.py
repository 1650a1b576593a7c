"""Where each field of a certificate goes on the official pre-printed blank (phôi) of an issuing unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class CertificateLayout(Base):
    __tablename__ = "certificate_layout"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    page_width_mm: Mapped[float]
    page_height_mm: Mapped[float]
    # {"recipient": {"x": 40, "y": 80, "size": 22, "width": 200}, ...} in millimetres from the top-left corner.
    fields_json: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
