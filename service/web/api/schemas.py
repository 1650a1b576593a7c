"""Request parsing and response shaping for the API (plain dicts; the OpenAPI document describes them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request

from ...errors import InvalidInput
from ...operations.dossiers import NomineeInput


def body() -> dict[str, Any]:
    """The JSON object sent; anything else is a clear 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Nội dung yêu cầu phải là một đối tượng JSON.")
    return data


def text(data: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput(f"Trường '{key}' phải là chuỗi{' không rỗng' if required else ''}.", field=key)
    return value


def integer(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"Trường '{key}' phải là số nguyên.", field=key)
    return value


def nominees(data: dict[str, Any]) -> list[NomineeInput]:
    items = data.get("nominees")
    if not isinstance(items, list) or not items:
        raise InvalidInput("Trường 'nominees' phải là danh sách có ít nhất một người.", field="nominees")
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"nominees[{index}] phải là một đối tượng.", field="nominees")
        out.append(NomineeInput(kind=text(item, "kind") or "", full_name=text(item, "full_name") or "",
                                award_form_code=text(item, "award_form_code") or "",
                                position=text(item, "position", False), summary=text(item, "summary", False)))  # fmt: skip
    return out


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
