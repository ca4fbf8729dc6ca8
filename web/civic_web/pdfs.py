"""Pages as PDFs (WeasyPrint), laid out with the pages' own stylesheets and their print styles.

WeasyPrint loads Pango, which only PDFs need, so it is imported when a PDF is first wanted, or in the
background once a page a PDF is a click away from is looked at (:func:`warm_up`): loading it takes a
second or two, more on a busy machine. Without Pango :func:`pdf_of` raises OSError and the page says
:data:`UNAVAILABLE`; everything else works.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from civic_web.layout import STATIC, govuk_frontend_folder

log = logging.getLogger("civic.web")

UNAVAILABLE = ("PDFs cannot be made on this server: WeasyPrint needs Pango (Debian: apt-get install "
               "libpango-1.0-0 libpangoft2-1.0-0). Print the page from your browser instead.")

#: the stylesheets a PDF is laid out with (the pages' own, printed): parsed once, by the first that needs them
_STYLES: list[Any] = []
_LOCK = threading.Lock()
_WARMING: list[threading.Thread] = []


def _styles() -> list[Any]:
    """WeasyPrint loaded and the stylesheets parsed, once."""
    with _LOCK:
        if not _STYLES:
            from weasyprint import CSS

            _STYLES.extend(CSS(filename=str(STATIC / name)) for name in (
                f"{govuk_frontend_folder()}/govuk-frontend.min.css", "council.css", "pages.css"))
    return _STYLES


def warm_up() -> None:
    """Load WeasyPrint in the background, so a PDF a click away answers at once. Without Pango this does
    nothing: the PDF's page says why."""
    if _WARMING:
        return
    _WARMING.append(threading.Thread(target=_warmed, name="pdf-warm-up", daemon=True))
    _WARMING[0].start()


def _warmed() -> None:
    try:
        _styles()
    except OSError:
        log.info("no PDFs here: WeasyPrint cannot load Pango")


def pdf_of(html: str) -> bytes:
    """The page as a PDF (WeasyPrint, with the page's print styles). Nothing is fetched: the page's own
    stylesheets are read from the static folder, and its addresses are relative, with no base to resolve them.
    The PDF is tagged (PDF/UA-1), as accessible as the page it is made from."""
    styles = _styles()
    from weasyprint import HTML

    # PDF/UA-1: a tagged PDF (headings, tables, lists and reading order in a structure tree), with the
    # page's language and title, so a screen reader reads the agenda pack as it reads the page
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(stylesheets=styles, pdf_variant="pdf/ua-1")
    return pdf
