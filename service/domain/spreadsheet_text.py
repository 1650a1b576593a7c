"""Text that people typed, written into a file a spreadsheet program opens (the audit CSV, the nominee list).

A cell whose text begins with = + - @ (or a tab or carriage return, which some programs skip before looking) is
read by Excel and LibreOffice as a formula: a reason typed as `=HYPERLINK("http://…","Bấm vào đây")` would become a
link, and worse formulas can run commands or send data away (CSV injection). Such a cell is written with a leading
apostrophe, which the programs show as text and do not display; everything else is written as typed.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_csv_text(value: object) -> object:
    """A CSV cell's value: typed text that a spreadsheet would take for a formula gets a leading apostrophe;
    numbers and other text are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
