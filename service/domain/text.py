"""Vietnamese text as data: NFC-normalised, trimmed, and without NUL (which PostgreSQL refuses in text); and a unit's
name as it reads inside a sentence."""

from __future__ import annotations

import re
import unicodedata


def clean_text(text: str) -> str:
    """The same words whatever keyboard typed them: NFC, no NUL, no surrounding spaces."""
    return unicodedata.normalize("NFC", text.replace("\x00", "")).strip()


# The kind words an administrative unit's full name begins with ("Phường Giếng Đáy", "Thành phố Hạ Long").
UNIT_KIND_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Xã", "Quận", "Huyện", "Tỉnh")


def subjects_phrase(kinds: list[str]) -> str:
    """Who a document names, counted by kind as an official writes it: "1 cá nhân", "2 tập thể", "1 tập thể và 3 cá
    nhân" (not "1 tập thể, cá nhân" for one person). `kinds` holds each nominee's "collective" or "individual"."""
    collectives, individuals = kinds.count("collective"), kinds.count("individual")
    parts = [f"{n} {word}" for n, word in ((collectives, "tập thể"), (individuals, "cá nhân")) if n]
    return " và ".join(parts) if parts else "0 tập thể, cá nhân"


def in_sentence(unit_name: str) -> str:
    """A unit's full name as written after another word ("Hội đồng Thi đua - Khen thưởng phường Giếng Đáy",
    "Ủy ban nhân dân thành phố Hạ Long"): its leading kind word in lower case, as Vietnamese administrative style
    writes it; the unit's own name keeps its capitals. A name not starting with a kind word is left as it is
    ("Bộ phận Văn hóa - Thông tin"), and so is one already in lower case or in capitals."""
    name = unicodedata.normalize("NFC", unit_name)
    for word in UNIT_KIND_WORDS:
        if name.startswith(word) and name[len(word):len(word) + 1].isspace():
            return word.lower() + name[len(word):]
    return unit_name


def file_word(text: str) -> str:
    """'Bằng khen' → 'Bang-khen', 'Nguyễn Văn Đức' → 'Nguyen-Van-Duc': words in a file name every system and e-mail
    client keeps as it is (no diacritics, no spaces, no character a file system refuses)."""
    plain = unicodedata.normalize("NFD", clean_text(text).replace("đ", "d").replace("Đ", "D"))
    kept = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c) and c.isascii())
    return "-".join(kept.split())


def natural_key(text: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """A name's sort key, the same on any database and locale: numbers by value ("Khu phố 2" before "Khu phố 10"),
    letters by their base letter whatever the case and tone marks (Đ with D, not after Z), the name itself last."""
    folded = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    folded = folded.replace("đ", "d").replace("Đ", "D").casefold()
    parts = tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                  for part in re.split(r"(\d+)", folded) if part)  # fmt: skip
    return parts, text
