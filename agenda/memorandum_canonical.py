"""The canonical serialisation of a memorandum revision: what a signature is tied to.

`revision_snapshot()` reads the content that signatories agree to — the memorandum's title, language,
term and place, the revision's subject and Markdown text, and every party with its signer («в особі»),
side, role and own obligations — into a plain dict that contains no database ids, timestamps of
writes or anything else that differs between two databases holding the same memorandum.

`canonical_bytes()` turns such a dict into one exact byte string (JSON, keys sorted, no insignificant
whitespace, every string Unicode-NFC-normalised with CRLF/CR line endings turned into LF), and
`content_hash()` is the SHA-256 of those bytes. The same content therefore hashes the same across runs,
processes, operating systems and databases (SQLite in development, PostgreSQL in production), and a
browser's CRLF line endings do not change the hash of a text typed with LF.

The frozen snapshot is stored on the revision when it is opened for signature; the signing page, the
PDF and the verification page read it from there, never from the live (editable) rows.
"""

import hashlib
import json
import secrets
import unicodedata
from typing import Any

# Bump when the shape of the snapshot changes; it is part of the hashed content, so an old hash can
# never be confused with a new-format one.
FORMAT = "common-agenda/memorandum/1"

# Unambiguous characters (no 0/O, 1/I/L, U/V) for codes read off paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"


def _normalise(value: Any) -> Any:
    """NFC strings with LF line endings and no trailing spaces on lines; dicts and lists recursively."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
        return "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if isinstance(value, dict):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    if value is None or isinstance(value, bool | int):
        return value
    # Dates, decimals and the like: their ISO / plain string form.
    return str(value.isoformat() if hasattr(value, "isoformat") else value)


def canonical_bytes(snapshot: dict) -> bytes:
    normalised = _normalise(snapshot)
    return json.dumps(normalised, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(snapshot: dict) -> str:
    """SHA-256 (hex) of the canonical bytes of a snapshot."""
    return hashlib.sha256(canonical_bytes(snapshot)).hexdigest()


def party_snapshot(signatory) -> dict:
    organisation = signatory.organisation
    person = signatory.person
    return {
        "order": signatory.order,
        "organisation_uk": organisation.name_uk,
        "organisation_en": organisation.name_en,
        "side": signatory.side,
        "party_role": signatory.party_role,
        "signer_position_uk": signatory.signer_position_uk,
        "signer_position_en": signatory.signer_position_en,
        "signer_name": person.full_name if person else "",
        "own_obligations": signatory.own_obligations,
    }


def _number(value) -> str:
    """A decimal without trailing zeros, in plain notation: 15.00 → "15", 2.50 → "2.5"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


def goal_snapshot(goal) -> dict:
    indicator = goal.indicator
    owner = goal.owner_org
    return {
        "code": goal.code,
        "title_uk": goal.title_uk,
        "title_en": goal.title_en,
        "indicator_uk": indicator.name_uk if indicator else "",
        "indicator_en": indicator.name_en if indicator else "",
        "unit": indicator.unit if indicator else "",
        "baseline": _number(goal.baseline_value),
        "target": _number(goal.target_value),
        "deadline": goal.deadline,
        "owner_uk": owner.name_uk if owner else "",
        "owner_en": owner.name_en if owner else "",
    }


def agenda_goals(agenda) -> list:
    """The agenda's SMART goals that the memorandum fixes (all but cancelled ones), by code."""
    from .models import GoalStatus

    # Sorted here, not by the database: collations differ between databases, the hash must not.
    goals = agenda.goals.exclude(status=GoalStatus.CANCELLED).select_related("indicator", "owner_org")
    return sorted(goals, key=lambda g: g.code)


def revision_snapshot(revision, signatories=None, goals=None) -> dict:
    """The content of a revision as it stands in the database now: the memorandum, the revision's text,
    its parties and the agenda's SMART goals. `signatories` (with organisation and person) and `goals`
    (with indicator and owner_org) may be passed already fetched; otherwise a query reads each."""
    memorandum = revision.memorandum
    if signatories is None:
        signatories = memorandum.signatories.select_related("organisation", "person").order_by("order", "id")
    parties = [
        party_snapshot(s) for s in sorted(signatories, key=lambda s: (s.order, s.organisation.name_uk))
    ]
    if goals is None:
        goals = agenda_goals(memorandum.agenda)
    return _normalise(
        {
            "format": FORMAT,
            "title_uk": memorandum.title_uk,
            "title_en": memorandum.title_en,
            "number": memorandum.number,
            "language": memorandum.language,
            "revision": revision.number,
            "subject": revision.subject,
            "body": revision.body,
            "place": memorandum.place,
            "valid_from": memorandum.valid_from,
            "valid_until": memorandum.valid_until,
            "auto_renewal": memorandum.auto_renewal,
            "ordered_signing": memorandum.ordered_signing,
            "parties": parties,
            "goals": [goal_snapshot(g) for g in goals],
        }
    )


def new_verification_code() -> str:
    """A random code such as «K7QM-4XRT-9PWC» (about 58 bits): printed on the PDF, typed on the public
    verification page."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def normalise_code(code: str) -> str:
    """What a person typed (lower case, spaces, missing dashes) → the stored form."""
    chars = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(chars) != 12:
        return (code or "").strip().upper()
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"
