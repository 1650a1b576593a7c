"""How long a typed text may be: the length of the column it is stored in (service.models), so that a longer one is
refused with a message naming the field and its limit before anything is written (PostgreSQL would refuse it with
an error, SQLite would keep it and a page would stretch to fit it).

The domain does not read the models; tests/web/test_field_limits.py holds each limit to its column's length."""

from __future__ import annotations

from ..errors import InvalidInput

# field → (table, column, what the form calls the field); the limit is the column's String(n).
FIELDS: dict[str, tuple[str, str, str]] = {
    "dossier.title": ("dossier", "title", "Tiêu đề hồ sơ"),
    "nominee.full_name": ("nominee", "full_name", "Tên tập thể/cá nhân"),
    "nominee.position": ("nominee", "position", "Chức vụ"),
    "user.full_name": ("user_account", "full_name", "Họ và tên"),
    "org_unit.name": ("org_unit", "name", "Tên đơn vị"),
    "decision.signer_name": ("decision", "signer_name", "Người ký"),
    "decision.title": ("decision", "title", "Trích yếu quyết định"),
    # The records a spreadsheet imports (operations.records), named by their columns in the sheet.
    "yearly_rating.person_name": ("yearly_rating", "person_name", "Họ và tên"),
    "past_award.recipient_name": ("past_award", "recipient_name", "Tên tập thể/cá nhân"),
    "past_award.award_name": ("past_award", "award_name", "Hình thức khen thưởng"),
    "past_award.award_form_code": ("past_award", "award_form_code", "Mã hình thức"),
    "past_award.decision_number": ("past_award", "decision_number", "Số quyết định"),
    "index_result.index_code": ("index_result", "index_code", "Chỉ số"),
    "index_result.bloc": ("index_result", "bloc", "Khối"),
    "index_result.classification": ("index_result", "classification", "Xếp loại"),
    # A campaign file (domain.campaign_file), named by its keys.
    "campaign.code": ("campaign", "code", "code"),
    "campaign.title": ("campaign", "title", "title"),
    "campaign.process_key": ("campaign", "process_key", "process"),
    "campaign.theme": ("campaign", "theme", "theme"),
    "campaign.source": ("campaign", "source", "source"),
    "award_form.code": ("award_form", "code", "award_forms[].code"),
    "campaign_award_form.name": ("campaign_award_form", "name", "award_forms[].name"),
    "campaign_rule.code": ("campaign_rule", "code", "rules[].code"),
    "campaign_rule.description": ("campaign_rule", "description", "rules[].description"),
}

# The columns' lengths (characters), as service.models declares them.
LIMITS: dict[str, int] = {
    "dossier.title": 500,
    "nominee.full_name": 255,
    "nominee.position": 255,
    "user.full_name": 255,
    "org_unit.name": 255,
    "decision.signer_name": 255,
    "decision.title": 500,
    "yearly_rating.person_name": 255,
    "past_award.recipient_name": 255,
    "past_award.award_name": 255,
    "past_award.award_form_code": 64,
    "past_award.decision_number": 64,
    "index_result.index_code": 32,
    "index_result.bloc": 128,
    "index_result.classification": 64,
    "campaign.code": 64,
    "campaign.title": 500,
    "campaign.process_key": 128,
    "campaign.theme": 500,
    "campaign.source": 500,
    "award_form.code": 64,
    "campaign_award_form.name": 255,
    "campaign_rule.code": 32,
    "campaign_rule.description": 500,
}

TOO_LONG = "“{field}” dài {length} ký tự; tối đa {limit} ký tự."
TOO_LONG_ON_ROW = "Dòng {row}: “{field}” dài {length} ký tự; tối đa {limit} ký tự."


def label(field: str) -> str:
    """What the forms and sheets call the field."""
    return FIELDS[field][2]


def within(field: str, text: str) -> str:
    """`text` cut at the last word that fits the field, with "…" (a composed text, such as a decision's trích yếu
    quoting a long campaign title, that nobody typed and nobody can shorten)."""
    limit = LIMITS[field]
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def check_length(field: str, text: str | None, row: int | None = None) -> None:
    """Refuse `text` (already cleaned) in `field` when it is longer than its column holds; `row`, the line of a list
    (a dossier's nominees) it was typed on."""
    if text is None or len(text) <= LIMITS[field]:
        return
    values = {"field": label(field), "length": len(text), "limit": LIMITS[field]}
    if row is None:
        raise InvalidInput(TOO_LONG, values, field=field)
    raise InvalidInput(TOO_LONG_ON_ROW, {"row": row, **values}, field=field)
