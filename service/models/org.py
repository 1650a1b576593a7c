"""Org units (a tree with levels and effective dates) and the roles users hold at them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, str_enum, utcnow


class Level(enum.StrEnum):
    unit = "unit"
    ward = "ward"
    district = "district"
    province = "province"


class Role(enum.StrEnum):
    unit_clerk = "unit_clerk"
    unit_head = "unit_head"
    office_clerk = "office_clerk"
    council_member = "council_member"
    council_secretary = "council_secretary"
    chairman = "chairman"
    noi_vu = "noi_vu"
    ban_tdkt = "ban_tdkt"
    admin = "admin"
    auditor = "auditor"


class OrgUnit(Base):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(str_enum(Level))
    kind: Mapped[str | None] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    staff_count: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")

    def ancestor_at(self, level: str) -> OrgUnit | None:
        """This unit or the nearest ancestor at `level`."""
        node: OrgUnit | None = self
        while node is not None:
            if node.level == level:
                return node
            node = node.parent
        return None


class OrgUnitName(Base):
    """A former name of a unit and the days it was valid ([valid_from, valid_to)); the current name is OrgUnit.name."""

    __tablename__ = "org_unit_name"
    __table_args__ = (Index("ix_org_unit_name_unit", "org_unit_id", "valid_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    name: Mapped[str] = mapped_column(String(255))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoleAssignment(Base):
    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "org_unit_id"),
        Index("ix_role_assignment_role_unit", "role", "org_unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
