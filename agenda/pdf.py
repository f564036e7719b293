"""The memorandum as a PDF (WeasyPrint): a pure function of a revision, no writes.

`render_memorandum_pdf(revision) -> bytes` renders the frozen snapshot of an opened revision (or the
live text of a draft) in the memorandum's own language: A4, DejaVu fonts (full Cyrillic), "page x of
y", the parties and goals tables, the signature block, the document hash, the verification code with a
QR code pointing at the public verification page, and an audit page listing every event. Anything but
a fully signed revision carries the «ПРОЄКТ / DRAFT» watermark.

Resources go through `StaticOnlyFetcher`: only our own static files (under a fixed pseudo-origin) and
data: URIs are served; file:// and every network address are refused, so a user's Markdown or a
crafted URL can neither read the server's files nor make it send requests (SSRF).
"""

import datetime
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.text import render_markdown
from stakeholders.models import Helix

from . import memorandum_canonical as canonical
from .models import Indicator, MemorandumRevision, SignatoryRole, Signature

# Our static files are addressed under this origin inside the PDF's HTML. The .invalid top-level
# domain never resolves (RFC 2606), and the fetcher reads these paths from disk without any network.
STATIC_BASE = "https://static.common-agenda.invalid/static/"
WATERMARK = "ПРОЄКТ / DRAFT"


class StaticOnlyFetcher(URLFetcher):
    """Serves data: URIs and our own static files; refuses everything else (file://, http(s) to any
    host — loopback and private addresses included —, ftp…). WeasyPrint logs a refused resource as a
    warning and renders without it."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False, timeout=1, **kwargs)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_BASE):
            return self._static(url)
        raise ValueError(f"refused: {url[:120]}")

    @staticmethod
    def _static(url: str) -> URLFetcherResponse:
        relative = unquote(urlsplit(url).path).removeprefix(urlsplit(STATIC_BASE).path)
        normalised = posixpath.normpath(relative)
        if normalised.startswith(("/", "..")) or "\\" in normalised or "\x00" in normalised:
            raise ValueError(f"refused: {url[:120]}")
        found = finders.find(normalised)
        if not found and settings.STATIC_ROOT:
            candidate = Path(settings.STATIC_ROOT) / normalised
            found = str(candidate) if candidate.is_file() else None
        if not found:
            raise ValueError(f"not a static file: {url[:120]}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), headers={"Content-Type": content_type})


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("verify:verify-code", kwargs={"code": code})


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1, dark="#111")


def _date(value):
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _pick(item: dict, base: str, language: str) -> str:
    return item.get(f"{base}_{language}") or item.get(f"{base}_uk") or ""


def document_context(revision: MemorandumRevision, content: dict | None = None) -> dict:
    """What the web page and the PDF both show of a revision's text, in the active language: title,
    subject, the Markdown body rendered and sanitised, parties and goals. Reads the frozen snapshot of
    an opened revision, so later edits of organisations or goals never change a signed text."""
    from .memorandum_services import revision_content

    content = content if content is not None else revision_content(revision)
    language = (translation.get_language() or "uk")[:2]
    helix = dict(Helix.choices)
    roles = dict(SignatoryRole.choices)
    units = dict(Indicator.Unit.choices)
    parties = [
        {
            "order": p.get("order"),
            "organisation": _pick(p, "organisation", language),
            "organisation_uk": p.get("organisation_uk", ""),
            "side": helix.get(p.get("side"), ""),
            "role": roles.get(p.get("party_role"), ""),
            "is_signing": p.get("party_role") != SignatoryRole.OBSERVER,
            "position": _pick(p, "signer_position", language),
            "signer_name": p.get("signer_name", ""),
            "obligations": p.get("own_obligations", ""),
        }
        for p in content.get("parties", [])
    ]
    goals = [
        {
            "code": g.get("code", ""),
            "title": _pick(g, "title", language),
            "indicator": _pick(g, "indicator", language),
            "unit": units.get(g.get("unit"), ""),
            "baseline": g.get("baseline", ""),
            "target": g.get("target", ""),
            "deadline": _date(g.get("deadline")),
            "owner": _pick(g, "owner", language),
        }
        for g in content.get("goals", [])
    ]
    return {
        "content": content,
        "title": _pick(content, "title", language),
        "subject": content.get("subject", ""),
        "body_html": render_markdown(content.get("body", "")),
        "place": content.get("place", ""),
        "valid_from": _date(content.get("valid_from")),
        "valid_until": _date(content.get("valid_until")),
        "parties": parties,
        "goals": goals,
        "revision_number": content.get("revision", revision.number),
    }


def render_memorandum_pdf(revision: MemorandumRevision, *, preview: bool = False) -> bytes:
    """The PDF of one revision, in the memorandum's language. Reads the revision, its signatures and
    the memorandum's events (a handful of queries); writes nothing. A `preview` is always watermarked,
    so that it can never pass for the signed document."""
    from .memorandum_services import is_fully_signed

    memorandum = revision.memorandum
    with translation.override(memorandum.language or "uk"):
        context = document_context(revision)
        signatures = (
            {
                s.signatory.organisation.name_uk: s
                for s in revision.signatures.select_related("signatory__organisation", "signed_by")
            }
            if revision.is_frozen
            else {}
        )
        for party in context["parties"]:
            party["signature"] = signatures.get(party["organisation_uk"])
        final = is_fully_signed(revision) and not preview
        code = revision.verification_code
        events = list(memorandum.events.select_related("actor", "revision").order_by("created_at", "id"))
        context.update(
            {
                "revision": revision,
                "memorandum": memorandum,
                "language": memorandum.language or "uk",
                "is_final": final,
                "watermark": None if final else WATERMARK,
                "content_hash": revision.content_hash
                if revision.is_frozen
                else canonical.content_hash(context["content"]),
                "is_frozen": revision.is_frozen,
                "verification_code": code,
                "verify_url": verification_url(code) if code else "",
                "qr": qr_data_uri(verification_url(code)) if code else "",
                "events": events,
                "generated_at": timezone.localtime(),
                "static_base": STATIC_BASE,
                "Signature": Signature,
            }
        )
        html = render_to_string("pdf/memorandum.html", context)
        return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf()
