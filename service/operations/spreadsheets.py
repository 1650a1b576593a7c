"""Reading an uploaded .xlsx: the first sheet's header row and the rows below it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import load_workbook

from ..errors import InvalidInput


def read_sheet(data: bytes, required: Iterable[str]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """(header, data rows) of the first sheet; a clear refusal for a file that is not .xlsx or lacks columns."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise InvalidInput("Không đọc được tệp Excel (.xlsx).") from None
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    missing = [h for h in required if h not in header]
    if missing:
        raise InvalidInput("Thiếu cột: {value}.", {"value": ', '.join(missing)})
    return header, rows
