"""The rules a new password must meet, when an admin creates a user or resets a password and when a user changes
their own: plain Python, no database. Each refusal is an InvalidInput naming the form field it is about."""

from __future__ import annotations

from ..errors import InvalidInput

MIN_PASSWORD_LENGTH = 8  # create_user, an admin's reset and a user's own change alike

# The fields of the password forms, as the refusals name them (`details["field"]`).
CURRENT_FIELD, NEW_FIELD, REPEATED_FIELD = "current_password", "new_password", "repeated_password"


def check_new_password(username: str, new: str, repeated: str | None = None, current: str | None = None) -> None:
    """Refuse a new password: shorter than MIN_PASSWORD_LENGTH characters, the user name itself (case and spaces
    around it ignored), not typed the same twice (when `repeated` is given), or the same as the current password
    (when `current`, already checked against the stored hash, is given). The password is kept as typed: no
    character is trimmed or changed, as sign-in compares what is typed."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("Mật khẩu cần ít nhất {minimum} ký tự.", {"minimum": MIN_PASSWORD_LENGTH}, field=NEW_FIELD)
    if new.strip().casefold() == username.strip().casefold():
        raise InvalidInput("Mật khẩu không được trùng với tên đăng nhập.", field=NEW_FIELD)
    if repeated is not None and new != repeated:
        raise InvalidInput("Hai lần nhập mật khẩu mới không khớp nhau; hãy nhập lại.", field=REPEATED_FIELD)
    if current is not None and new == current:
        raise InvalidInput("Mật khẩu mới phải khác mật khẩu hiện tại.", field=NEW_FIELD)
