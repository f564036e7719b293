"""The PDF renderer (WeasyPrint): content, language, watermark, and a URL fetcher that serves only our
static files."""

import http.server
import subprocess
import threading

import pytest
from django.contrib.staticfiles import finders

from agenda import memorandum_services as services
from agenda.models import MemorandumRevision
from agenda.pdf import STATIC_BASE, StaticOnlyFetcher, render_memorandum_pdf

from .conftest import draft, open_memorandum, pdf_text, sign

pytestmark = pytest.mark.django_db


def signed_revision(world) -> MemorandumRevision:
    memorandum = open_memorandum(world)
    for key in world.orgs:
        sign(world, memorandum, key)
    return memorandum.revisions.get()


def test_signed_pdf_has_the_cyrillic_title_every_party_the_code_and_the_hash(world, tmp_path):
    revision = signed_revision(world)

    data = render_memorandum_pdf(revision)

    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    flat = " ".join(text.split()).replace("- ", "-")  # a long name may wrap after its hyphen in a column
    assert "Меморандум про співпрацю з розвитку інноваційної екосистеми" in flat
    for org in world.orgs.values():
        assert org.name_uk in flat, org.name_uk
    assert revision.verification_code in flat
    assert revision.content_hash in flat.replace(" ", "")
    assert "Підписант cluster" in flat  # the typed name in the signature block
    assert "Запустити інноваційні ваучери" in flat  # the goals table
    assert "Page 1 of" in flat or "Сторінка 1" in flat
    assert "ПРОЄКТ" not in flat  # a signed document carries no draft watermark
    assert "\ufffd" not in text


def test_pdf_embeds_only_dejavu_fonts_and_is_a4(world, tmp_path):
    path = tmp_path / "m.pdf"
    path.write_bytes(render_memorandum_pdf(signed_revision(world)))

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu" in fonts
    assert all("DejaVu" in line for line in fonts.splitlines()[2:] if line.strip())
    assert "595.276 x 841.89" in info or "595.28 x 841.89" in info  # A4 in points


def test_draft_preview_is_watermarked(world, tmp_path):
    revision = services.current_revision(draft(world))

    text = pdf_text(render_memorandum_pdf(revision), tmp_path)

    assert "ПРОЄКТ / DRAFT" in " ".join(text.split())


def test_preview_of_a_signed_revision_is_still_watermarked(world, tmp_path):
    revision = signed_revision(world)

    with_mark = pdf_text(render_memorandum_pdf(revision, preview=True), tmp_path)
    without = pdf_text(render_memorandum_pdf(revision), tmp_path)

    assert "ПРОЄКТ / DRAFT" in " ".join(with_mark.split()) and "ПРОЄКТ" not in without


def test_english_memorandum_is_rendered_in_english(world, tmp_path):
    memorandum = open_memorandum(world, language="en")
    text = " ".join(pdf_text(render_memorandum_pdf(memorandum.revisions.get()), tmp_path).split())

    assert (
        "Memorandum of cooperation on the development of the innovation ecosystem of Kherson Oblast" in text
    )
    assert "Tavria AgroTech Cluster" in text and "Parties" in text


# -- the URL fetcher ------------------------------------------------------------------------------


class Canary:
    """An HTTP server on loopback that counts every request it gets."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_fetcher_refuses_file_urls_and_loopback_addresses():
    fetcher = StaticOnlyFetcher()
    with Canary() as canary:
        for url in (
            "file:///etc/passwd",
            f"{canary.url}/ssrf.css",
            "http://localhost:1/x.png",
            "http://[::1]/x",
            "ftp://127.0.0.1/x",
            STATIC_BASE + "../../../../etc/passwd",
            STATIC_BASE + "%2e%2e/%2e%2e/etc/passwd",
        ):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
        assert canary.hits == []


def test_fetcher_serves_our_stylesheet_and_data_uris():
    fetcher = StaticOnlyFetcher()

    css = fetcher.fetch(STATIC_BASE + "css/pdf.css")
    data = fetcher.fetch("data:text/plain,hello%20world")

    assert css.read() == open(finders.find("css/pdf.css"), "rb").read()
    assert data.read() == b"hello world"


def test_rendering_a_hostile_document_makes_no_request_and_embeds_no_file(world, tmp_path, caplog):
    """Markdown that tries to load remote or local resources: nothing reaches the canary, /etc/passwd
    is not attached, and the render still succeeds."""
    memorandum = draft(world)
    revision = memorandum.revisions.get()
    with Canary() as canary:
        revision.body = (
            f'## Тест\n\n![img]({canary.url}/md.png)\n\n<img src="{canary.url}/raw.png">\n\n'
            f'<link rel="attachment" href="file:///etc/passwd"><link rel="stylesheet" href="{canary.url}/x.css">\n\n'
            f"[посилання]({canary.url}/link)"
        )
        revision.save()
        data = render_memorandum_pdf(revision)

        # And straight through WeasyPrint with our fetcher, without the Markdown sanitiser in between.
        from weasyprint import HTML

        hostile = (
            f'<html><head><link rel="stylesheet" href="{canary.url}/ssrf.css">'
            '<link rel="attachment" href="file:///etc/passwd"></head>'
            f'<body><img src="file:///etc/passwd"><img src="{canary.url}/ssrf.png">Текст</body></html>'
        )
        raw = HTML(string=hostile, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf()

        assert canary.hits == []
    for blob, name in ((data, "memo.pdf"), (raw, "raw.pdf")):
        path = tmp_path / name
        path.write_bytes(blob)
        listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True).stdout
        assert "passwd" not in listing and b"root:x:0:0" not in blob
