"""Actor: who is acting, with the roles they hold at org units (a value, never a request global)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """A signed-in user as the rules see them."""

    user_id: int | None
    username: str
    roles: frozenset[tuple[str, int]] = field(default_factory=frozenset)  # (role, org_unit_id)

    def holds(self, role: str, org_unit_id: int | None) -> bool:
        return org_unit_id is not None and (role, org_unit_id) in self.roles

    def has_role(self, role: str) -> bool:
        return any(r == role for r, _ in self.roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")


SYSTEM = Actor(user_id=None, username="system")
