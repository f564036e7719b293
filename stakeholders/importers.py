"""Spreadsheets in and out: the stakeholder directory imported from CSV/XLSX (read, then checked row by
row, nothing written here), and the directory and role matrix written out as CSV/XLSX.

Reading uses the standard library's `csv` and openpyxl (read-only mode), not hand-written parsing.
Writing XLSX goes through openpyxl directly so that every text cell is stored as text: a value such as
"=HYPERLINK(…)" typed into a form must never become a live formula in the coordinator's Excel
(CSV/formula injection). CSV cells that start with a formula character get a leading apostrophe
(OWASP's advice); the importer strips it again, so an export can be re-imported as it is.

Column names of the directory files are the model's field names (`name_uk`, `kind`, …), which the
import page lists; the importer also accepts the usual Ukrainian and English headings.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regions.models import Region

from .models import Helix, Organisation, OrganisationKind, Person

ORGANISATIONS = "organisations"
PEOPLE = "people"
WHAT_CHOICES = [(ORGANISATIONS, gettext_lazy("Organisations")), (PEOPLE, gettext_lazy("People"))]

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
PAYLOAD_MAX_AGE = 24 * 60 * 60  # a preview can be confirmed for a day

COLUMNS: dict[str, tuple[str, ...]] = {
    ORGANISATIONS: (
        "name_uk",
        "name_en",
        "short_name",
        "kind",
        "helix",
        "city",
        "edrpou",
        "size",
        "has_rnd_unit",
        "website",
    ),
    PEOPLE: (
        "full_name",
        "organisation",
        "position_uk",
        "position_en",
        "email",
        "phone",
        "preferred_language",
        "is_representative",
    ),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    ORGANISATIONS: ("name_uk", "kind"),
    PEOPLE: ("full_name", "organisation"),
}
# Headings people actually type, beside the field names and the fields' labels in both languages.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    ORGANISATIONS: {
        "name_uk": (
            "name",
            "назва",
            "найменування",
            "організація",
            "organisation",
            "organization",
            "назва укр",
        ),
        "name_en": ("name en", "english name", "назва англ", "назва англійською"),
        "short_name": ("short", "abbreviation", "скорочення", "скорочена назва", "абревіатура"),
        "kind": ("type", "category", "тип", "вид", "категорія"),
        "helix": ("helix side", "side", "спіраль", "сторона спіралі", "сектор"),
        "city": ("town", "місто", "населений пункт"),
        "edrpou": ("edrpou code", "код єдрпоу", "єдрпоу", "код"),
        "size": ("розмір",),
        "has_rnd_unit": ("r&d", "rnd", "r&d unit", "має r&d", "r&d підрозділ", "інноваційний підрозділ"),
        "website": ("site", "web", "url", "сайт", "вебсайт", "веб сайт"),
    },
    PEOPLE: {
        "full_name": ("name", "person", "піб", "прізвище ім'я по батькові", "особа", "ім'я"),
        "organisation": ("organization", "org", "організація", "установа"),
        "position_uk": ("position", "title", "job title", "посада"),
        "position_en": ("position en", "посада англ", "посада англійською"),
        "email": ("e mail", "mail", "пошта", "електронна пошта", "ел пошта"),
        "phone": ("telephone", "tel", "телефон", "тел"),
        "preferred_language": ("language", "lang", "мова"),
        "is_representative": ("representative", "представник", "представляє"),
    },
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Ukrainian names of the choices (DOMAIN.md §2.2) and their usual short forms, accepted whatever the
# state of the translation catalogue.
CHOICE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "regional_admin": (
            "ОДА",
            "ОВА",
            "ОДА/ОВА",
            "обласна державна адміністрація",
            "обласна військова адміністрація",
        ),
        "regional_council": ("обласна рада",),
        "city_council": ("міська рада", "виконком", "міська рада, виконком"),
        "central_authority": (
            "центральний орган влади",
            "міністерство",
            "центральний орган влади, міністерство",
        ),
        "rda": ("АРР", "агенція регіонального розвитку"),
        "cluster": ("кластер",),
        "business_association": (
            "бізнес-асоціація",
            "ТПП",
            "бізнес-асоціація, ТПП",
            "торгово-промислова палата",
        ),
        "enterprise": ("передове підприємство", "підприємство"),
        "sme_startup": ("МСП", "стартап", "МСП, стартап"),
        "university": ("ЗВО", "університет", "ЗВО, університет"),
        "research_institute": ("НДІ", "науково-дослідний інститут"),
        "science_park": ("науковий парк", "технологічний парк", "індустріальний парк", "хаб"),
        "civil_society": ("ГО", "громадська організація"),
        "expert": ("експерт", "консалтинг", "медіа", "експерт, консалтинг, медіа"),
        "international": ("міжнародний партнер", "донор", "міжнародний партнер, донор"),
        "other": ("інше",),
    },
    "helix": {
        "government": ("влада",),
        "business": ("бізнес",),
        "academia": ("наука", "наука та освіта", "наука й освіта"),
        "civil_society": ("громадянське суспільство",),
        "other": ("інше",),
    },
    "size": {"micro": ("мікро",), "small": ("мале",), "medium": ("середнє",), "large": ("велике",)},
}


# -- the table read from a file ---------------------------------------------------------------------


@dataclass
class Table:
    """The rows of an uploaded file under canonical column names. `rows` are (line number in the file,
    {column: text}); `ignored` are headings the importer did not recognise."""

    what: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    ignored: list[str] = field(default_factory=list)

    def sign(self, region: Region) -> str:
        """A tamper-proof, compressed copy for the confirmation form (no server-side state between the
        preview and the import). Bound to the region."""
        payload = {
            "what": self.what,
            "columns": self.columns,
            "rows": [[line, [values.get(c, "") for c in self.columns]] for line, values in self.rows],
            "ignored": self.ignored,
        }
        return signing.dumps(payload, salt=_salt(region), compress=True)

    @classmethod
    def unsign(cls, token: str, region: Region) -> Table:
        try:
            payload = signing.loads(token, salt=_salt(region), max_age=PAYLOAD_MAX_AGE)
        except signing.SignatureExpired as exc:
            raise ValidationError(_("This preview is more than a day old; upload the file again.")) from exc
        except signing.BadSignature as exc:
            raise ValidationError(_("The preview could not be read; upload the file again.")) from exc
        what = payload.get("what")
        if what not in COLUMNS:
            raise ValidationError(_("The preview could not be read; upload the file again."))
        columns = [c for c in payload["columns"] if c in COLUMNS[what]]
        rows = [
            (int(line), dict(zip(payload["columns"], values, strict=False)))
            for line, values in payload["rows"]
        ]
        return cls(what=what, columns=columns, rows=rows, ignored=list(payload.get("ignored", [])))


def _salt(region: Region) -> str:
    return f"stakeholders.directory-import.{region.pk}"


def _norm(text: str) -> str:
    """Heading/value comparison key: lower case, no punctuation runs, single spaces."""
    text = str(text).strip().casefold().replace("’", "'").replace("ʼ", "'")
    text = re.sub(r"[\s_\-*:.,/()]+", " ", text)
    return text.strip()


def _header_map(what: str) -> dict[str, str]:
    """Normalised heading → canonical column, from field names, both languages' labels and aliases."""
    mapping: dict[str, str] = {}
    model = Organisation if what == ORGANISATIONS else Person
    for column in COLUMNS[what]:
        mapping[_norm(column)] = column
        for alias in ALIASES[what].get(column, ()):
            mapping.setdefault(_norm(alias), column)
        label = model._meta.get_field(column).verbose_name
        for language in ("uk", "en"):
            with translation.override(language):
                mapping.setdefault(_norm(str(label)), column)
    return mapping


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value).replace("\x00", "").strip()
    # An apostrophe put in front of a formula character on export is taken off again.
    if text[:1] == "'" and text[1:2] in FORMULA_START and len(text) > 1:
        text = text[1:]
    return text


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        rows = []
        for row in workbook.active.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 50:
                break
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file is not a text (CSV) file in UTF-8 or Windows-1251."))
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise ValidationError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


def read_table(uploaded_file, what: str) -> Table:
    """Read an uploaded CSV or XLSX file (first sheet) into a Table. Raises ValidationError when the
    file as a whole is unusable: too big, unknown format, no heading row, a required column missing,
    two columns meaning the same thing, or too many rows. Blank lines are skipped."""
    if what not in COLUMNS:
        raise ValidationError(_("Choose what the file contains."))
    if uploaded_file.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB; split it into several files."))
    content = uploaded_file.read()
    name = (uploaded_file.name or "").lower()
    if name.endswith(".xls") or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError(_("Old Excel files (.xls) are not supported: save the sheet as .xlsx or .csv."))
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        raw = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")) or not name:
        raw = _read_csv(content)
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."))

    lines = [(number, [_cell_text(v) for v in row]) for number, row in enumerate(raw, start=1)]
    lines = [(number, cells) for number, cells in lines if any(cells)]
    if not lines:
        raise ValidationError(_("The file is empty."))
    header_line, headings = lines[0]
    mapping = _header_map(what)
    positions: dict[str, int] = {}
    ignored = []
    for index, heading in enumerate(headings):
        if not heading:
            continue
        column = mapping.get(_norm(heading))
        if column is None:
            ignored.append(heading)
        elif column in positions:
            raise ValidationError(
                _("Two columns (%(first)s and %(second)s) both mean «%(column)s»; keep one.")
                % {"first": headings[positions[column]], "second": heading, "column": column}
            )
        else:
            positions[column] = index
    missing = [c for c in REQUIRED_COLUMNS[what] if c not in positions]
    if missing:
        raise ValidationError(
            _("The heading row (line %(line)d) has no column for: %(columns)s.")
            % {"line": header_line, "columns": ", ".join(missing)}
        )
    body = lines[1:]
    if len(body) > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(max)d rows; split it into several files.") % {"max": MAX_ROWS}
        )
    columns = [c for c in COLUMNS[what] if c in positions]
    rows = [
        (number, {c: (cells[positions[c]] if positions[c] < len(cells) else "") for c in columns})
        for number, cells in body
    ]
    return Table(what=what, columns=columns, rows=rows, ignored=ignored)


# -- checking rows ----------------------------------------------------------------------------------


@dataclass
class RowCheck:
    """One row of the file: what it said, the model values it gives, and what is wrong with it."""

    line: int
    raw: dict[str, str]
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)  # raw values in the table's column order

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    what: str
    table: Table
    rows: list[RowCheck]

    @property
    def valid(self) -> list[RowCheck]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid(self) -> list[RowCheck]:
        return [row for row in self.rows if not row.ok]


TRUE_WORDS = {"yes", "y", "true", "1", "так", "т", "+", "x", "х", "✓", "v"}
FALSE_WORDS = {"no", "n", "false", "0", "ні", "н", "-", "—"}
LANGUAGE_WORDS = {
    "uk": {"uk", "ua", "ukr", "ukrainian", "українська", "укр", "українською"},
    "en": {"en", "eng", "english", "англійська", "англ", "англійською"},
}


def _choice_map(choices, column: str) -> dict[str, str]:
    """Code, label in either language, and the Ukrainian aliases → code."""
    mapping = {}
    for code, label in choices:
        mapping[_norm(code)] = code
        for language in ("uk", "en"):
            with translation.override(language):
                mapping.setdefault(_norm(str(label)), code)
        for alias in CHOICE_ALIASES.get(column, {}).get(code, ()):
            mapping.setdefault(_norm(alias), code)
    return mapping


def _bool(text: str, row: RowCheck, default: bool) -> bool:
    key = _norm(text)
    if not key:
        return default
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    row.errors.append(_("«%(value)s» is not yes or no.") % {"value": text})
    return default


def _limit(row: RowCheck, model, column: str, text: str) -> str:
    max_length = model._meta.get_field(column).max_length
    if max_length and len(text) > max_length:
        row.errors.append(
            _("%(column)s is longer than %(max)d characters.") % {"column": column, "max": max_length}
        )
    return text


def check_rows(*, region: Region, what: str, table: Table) -> ImportPreview:
    """Check every row against the region's directory and the rest of the file. Two queries."""
    if what == ORGANISATIONS:
        rows = _check_organisations(region, table)
    else:
        rows = _check_people(region, table)
    for row in rows:
        row.cells = [row.raw.get(column, "") for column in table.columns]
    return ImportPreview(what=what, table=table, rows=rows)


def _check_organisations(region: Region, table: Table) -> list[RowCheck]:
    kinds = _choice_map(OrganisationKind.choices, "kind")
    helices = _choice_map(Helix.choices, "helix")
    sizes = _choice_map(Organisation.Size.choices, "size")
    # A name already used in the region — Ukrainian, English or short — is a duplicate.
    existing = {
        _norm(name)
        for names in Organisation.objects.for_region(region).values_list("name_uk", "name_en", "short_name")
        for name in names
        if name
    }
    url_field = forms.URLField(assume_scheme="https")
    seen: dict[str, int] = {}
    checked = []
    for line, raw in table.rows:
        row = RowCheck(line=line, raw=raw)
        get = raw.get
        values: dict = {}
        name = get("name_uk", "")
        if not name:
            row.errors.append(_("Name is missing."))
        else:
            key = _norm(name)
            english = _norm(get("name_en", ""))
            if key in existing or (english and english in existing):
                row.errors.append(
                    _("Duplicate: «%(name)s» is already in the region's directory.") % {"name": name}
                )
            elif key in seen:
                row.errors.append(_("Duplicate of row %(line)d.") % {"line": seen[key]})
            else:
                seen[key] = line
        values["name_uk"] = _limit(row, Organisation, "name_uk", name)
        for column in ("name_en", "short_name", "city"):
            values[column] = _limit(row, Organisation, column, get(column, ""))
        kind = get("kind", "")
        if not kind:
            row.errors.append(_("Kind is missing."))
        elif _norm(kind) not in kinds:
            row.errors.append(_("Unknown kind «%(value)s».") % {"value": kind})
        else:
            values["kind"] = kinds[_norm(kind)]
        helix = get("helix", "")
        if helix:
            if _norm(helix) in helices:
                values["helix"] = helices[_norm(helix)]
            else:
                row.errors.append(_("Unknown helix side «%(value)s».") % {"value": helix})
        size = get("size", "")
        if size:
            if _norm(size) in sizes:
                values["size"] = sizes[_norm(size)]
            else:
                row.errors.append(_("Unknown size «%(value)s».") % {"value": size})
        edrpou = re.sub(r"\s+", "", get("edrpou", ""))
        if edrpou and not re.fullmatch(r"[0-9]{8}", edrpou):
            row.errors.append(_("The EDRPOU code «%(value)s» must be 8 digits.") % {"value": edrpou})
        values["edrpou"] = edrpou
        values["has_rnd_unit"] = _bool(get("has_rnd_unit", ""), row, default=False)
        website = get("website", "")
        if website:
            try:
                values["website"] = url_field.clean(website)
            except ValidationError:
                row.errors.append(_("The website «%(value)s» is not a valid address.") % {"value": website})
        row.values = values
        checked.append(row)
    return checked


def _check_people(region: Region, table: Table) -> list[RowCheck]:
    organisations = list(
        Organisation.objects.for_region(region).only("pk", "name_uk", "name_en", "short_name", "region")
    )
    by_name: dict[str, list[Organisation]] = {}
    for org in organisations:
        for label in {org.name_uk, org.name_en, org.short_name}:
            if label:
                by_name.setdefault(_norm(label), []).append(org)
    existing_names: set[tuple[int, str]] = set()
    existing_emails: set[tuple[int, str]] = set()
    for org_id, full_name, email in Person.objects.for_region(region).values_list(
        "organisation_id", "full_name", "email"
    ):
        existing_names.add((org_id, _norm(full_name)))
        if email:
            existing_emails.add((org_id, email.strip().lower()))
    seen: dict[tuple, int] = {}
    checked = []
    for line, raw in table.rows:
        row = RowCheck(line=line, raw=raw)
        get = raw.get
        values: dict = {}
        full_name = get("full_name", "")
        if not full_name:
            row.errors.append(_("Name is missing."))
        values["full_name"] = _limit(row, Person, "full_name", full_name)
        org_text = get("organisation", "")
        org = None
        if not org_text:
            row.errors.append(_("Organisation is missing."))
        else:
            matches = {o.pk: o for o in by_name.get(_norm(org_text), [])}
            if not matches:
                row.errors.append(
                    _("Unknown organisation «%(value)s»: import or add it first.") % {"value": org_text}
                )
            elif len(matches) > 1:
                row.errors.append(
                    _("«%(value)s» matches several organisations; use the full Ukrainian name.")
                    % {"value": org_text}
                )
            else:
                org = next(iter(matches.values()))
                values["organisation"] = org
        email = get("email", "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(_("Bad e-mail address «%(value)s».") % {"value": email})
        values["email"] = _limit(row, Person, "email", email)
        for column in ("position_uk", "position_en", "phone"):
            values[column] = _limit(row, Person, column, get(column, ""))
        language = _norm(get("preferred_language", ""))
        if not language:
            values["preferred_language"] = "uk"
        else:
            code = next((c for c, words in LANGUAGE_WORDS.items() if language in words), None)
            if code is None:
                row.errors.append(
                    _("Unknown language «%(value)s»: use uk or en.") % {"value": get("preferred_language")}
                )
            values["preferred_language"] = code or "uk"
        values["is_representative"] = _bool(get("is_representative", ""), row, default=True)
        if org is not None and full_name:
            keys = [("name", org.pk, _norm(full_name))]
            if email:
                keys.append(("email", org.pk, email.lower()))
            if (org.pk, _norm(full_name)) in existing_names or (
                email and (org.pk, email.lower()) in existing_emails
            ):
                row.errors.append(
                    _("Duplicate: %(name)s is already listed for %(organisation)s.")
                    % {"name": full_name, "organisation": org.name_uk}
                )
            else:
                first = next((seen[k] for k in keys if k in seen), None)
                if first is not None:
                    row.errors.append(_("Duplicate of row %(line)d.") % {"line": first})
                else:
                    for key in keys:
                        seen[key] = line
        row.values = values
        checked.append(row)
    return checked


# -- writing --------------------------------------------------------------------------------------


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel shows Cyrillic), comma-separated, formula-safe."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([_csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """One worksheet per (title, headers, rows). Text is always stored as text, never as a formula;
    numbers, booleans and dates keep their type. The heading row is bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "-", str(title))[:31])
        widths = [len(str(h)) for h in headers]
        for col, heading in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=col, value=str(heading))
            cell.font = bold
        for r, row in enumerate(rows, start=2):
            for col, value in enumerate(row, start=1):
                if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                    value = value.replace(tzinfo=None)
                if value is not None and not isinstance(
                    value, int | float | bool | datetime.date | datetime.datetime
                ):
                    value = str(value)
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters are not XML
                cell = sheet.cell(row=r, column=col, value=value)
                if isinstance(value, str):
                    # openpyxl takes a string starting with "=" for a formula; force plain text.
                    cell.data_type = TYPE_STRING
                    widths[col - 1] = max(widths[col - 1], min(len(value), 60))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = max(10, width + 2)
        sheet.freeze_panes = "A2"
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def organisation_rows(organisations: Iterable[Organisation]) -> tuple[list[str], list[list]]:
    """The directory's organisations in the import format (re-importable as they are)."""
    headers = list(COLUMNS[ORGANISATIONS])
    rows = [
        [
            org.name_uk,
            org.name_en,
            org.short_name,
            org.kind,
            org.helix,
            org.city,
            org.edrpou,
            org.size,
            "yes" if org.has_rnd_unit else "no",
            org.website,
        ]
        for org in organisations
    ]
    return headers, rows


def people_rows(people: Iterable[Person]) -> tuple[list[str], list[list]]:
    """People in the import format; `organisation` is the organisation's Ukrainian name. Reads
    `person.organisation` — select_related it."""
    headers = list(COLUMNS[PEOPLE])
    rows = [
        [
            person.full_name,
            person.organisation.name_uk,
            person.position_uk,
            person.position_en,
            person.email,
            person.phone,
            person.preferred_language,
            "yes" if person.is_representative else "no",
        ]
        for person in people
    ]
    return headers, rows


def role_matrix_rows(entries: Iterable) -> tuple[list[str], list[list]]:
    """The role matrix for people to read: headings and choices in the active language. Reads the
    row's organisation, representative, leader direction, confirming user and domains — load them
    with `RoleMatrixEntry.objects.with_related()`."""
    headers = [
        _("Organisation"),
        _("Kind"),
        _("Helix side"),
        _("Representative"),
        _("Current role type"),
        _("Current role"),
        _("Refined role type"),
        _("Refined role"),
        _("Comment"),
        _("Zone of responsibility"),
        _("Sphere of interest"),
        _("Domains of interest"),
        _("Commitment"),
        _("Commitment level"),
        _("Leader"),
        _("Direction led"),
        _("Confirmed"),
        _("Confirmed at"),
        _("Confirmed by"),
        _("Version"),
    ]
    yes, no = _("yes"), _("no")
    rows = []
    for entry in entries:
        confirmed_at = timezone.localtime(entry.confirmed_at) if entry.confirmed_at else None
        rows.append(
            [
                entry.organisation.name,
                entry.organisation.get_kind_display(),
                entry.organisation.get_helix_display(),
                entry.representative.full_name if entry.representative else "",
                entry.get_current_role_type_display() if entry.current_role_type else "",
                entry.current_role,
                entry.get_refined_role_type_display() if entry.refined_role_type else "",
                entry.refined_role,
                entry.comment,
                entry.zone_of_responsibility,
                entry.sphere_of_interest,
                "; ".join(domain.name for domain in entry.domain_list),
                entry.commitment,
                entry.get_commitment_level_display(),
                yes if entry.is_leader else no,
                entry.leader_direction.name if entry.leader_direction else "",
                yes if entry.is_confirmed else no,
                confirmed_at,
                entry.confirmed_by.display_name if entry.confirmed_by else "",
                entry.version,
            ]
        )
    return headers, rows
