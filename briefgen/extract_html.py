"""HTML extraction for `add-source`: a web page's bytes → its main text and metadata.

In: the bytes of an HTML page and the URL it came from (if any). Out: the main
text — headings and paragraphs, one block per line, without navigation, cookie
banners, share links, "related content" or footers — and what the page says of
itself (title, publication date, publisher) from its ``<meta>`` tags and JSON-LD.

trafilatura does the work (compared with readability-lxml and jusText on GOV.UK,
news and Hansard pages it kept every body paragraph and dropped the furniture).
Its plain-text output is used: with formatting on it writes Markdown, and its
escapes (``1\\.``) would no longer match a quote copied from the page.
"""

from __future__ import annotations

from .errors import BriefgenError


def extract_html(data: bytes, url: str | None, name: str) -> tuple[str, dict[str, str | None]]:
    """The page's main text and its metadata (title, date as YYYY-MM-DD, publisher); `name` is for messages."""
    import trafilatura

    text = trafilatura.extract(data, url=url, output_format="txt", include_comments=False, include_tables=True,
                               include_images=False, include_links=False, include_formatting=False,
                               deduplicate=False)
    if not text or not text.strip():
        raise BriefgenError(f"{name}: no main text found in the page (is it a page of links, or built by "
                            "JavaScript?); save the text as a .txt file and add that instead")
    found = trafilatura.extract_metadata(data, default_url=url)
    meta: dict[str, str | None] = {"title": None, "date": None, "publisher": None}
    if found is not None:
        meta = {"title": found.title or None, "date": (found.date or None) and str(found.date)[:10],
                "publisher": found.sitename or None}
    return text, meta
