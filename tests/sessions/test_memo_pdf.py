"""The memo as a PDF (WeasyPrint): a real PDF whose text holds the memo, its charts drawn in it; and the renderer
fetches the site's static files only."""

import pytest
from django.urls import reverse

from sessions.pdf import _fetcher, _static_file, render_pdf
from sessions.services import memo_draft, topic_add

from .memo_data import first_session, make_kpis
from .pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_pdf_is_a_real_pdf_holding_the_topics_and_charts(city, users, police_series, as_persona):
    make_kpis(city, users, count=2)
    session = first_session(police_series)
    memo = memo_draft(session, by=users["stat_analyst"])
    topic_add(memo, title="Overtime in the Eastern District", questions="Who approves overtime?", by=users["stat_lead"])
    response = as_persona("stat_analyst").get(reverse("stat_sessions:memo_pdf", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for words in [
        "Briefing memorandum",
        "Department of Police briefing memorandum for reporting period December 2026",
        "Open action items from earlier sessions",
        "KPI 0: crashes",
        "KPI 1: crashes",
        "Overtime in the Eastern District",
        "Who approves overtime?",
        "freshness, completeness (minutes)",
        "November story of KPI 0.",
        "Data source: Source 0",
    ]:
        assert squeezed(words) in squeezed(text), words
    # The charts are drawn in the PDF: their legends (SVG text, which WeasyPrint sets glyph by glyph) are there.
    assert text.count("T a r g e t") == 2
    assert "Back to the memo" not in text  # the screen's links stay off paper


def test_the_fetcher_serves_static_files_and_refuses_anything_else(settings):
    css = _static_file("https://statprogram.invalid" + settings.STATIC_URL + "css/memo-print.css")
    assert b"break-inside: avoid" in css
    for url in [
        "http://127.0.0.1:8000/static/css/memo-print.css",
        "https://example.com/static/css/memo-print.css",
        "https://statprogram.invalid/media/secret.pdf",
        "https://statprogram.invalid" + settings.STATIC_URL + "../../etc/passwd",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError):  # noqa: PT011 -- the message names the refused URL
            _static_file(url)
    with pytest.raises(ValueError):  # noqa: PT011
        _fetcher().fetch("https://example.com/tracker.png")


def test_the_fetcher_serves_the_hashed_names_collected_files_have(settings, tmp_path):
    """With DEBUG off the page links ``memo-print.<hash>.css``, which only STATIC_ROOT holds (collectstatic with the
    manifest storage): the fetcher reads it there; the finders alone knew only the source name."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "memo-print.c6ea5a15aeec.css").write_bytes(b"h1 { color: black }")
    settings.STATIC_ROOT = str(tmp_path)
    css = _static_file("https://statprogram.invalid" + settings.STATIC_URL + "css/memo-print.c6ea5a15aeec.css")
    assert css == b"h1 { color: black }"
    with pytest.raises(ValueError):  # noqa: PT011 -- neither collected nor found
        _static_file("https://statprogram.invalid" + settings.STATIC_URL + "css/memo-print.000000000000.css")


def test_a_pdf_with_a_foreign_image_renders_without_fetching_it(tmp_path, monkeypatch, settings):
    fetched = []
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: fetched.append(a) or None)
    template = tmp_path / "foreign.html"
    template.write_text('<html><body><p>Text</p><img src="https://example.com/x.png" alt="x"></body></html>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path), *settings.TEMPLATES[0]["DIRS"]]}]
    body = render_pdf("foreign.html", {})
    assert body.startswith(b"%PDF-") and "Text" in pdf_text(body)
    assert fetched == []
