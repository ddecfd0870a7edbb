"""A faster page list for WeasyPrint's PDF writer: pydyf's `PDF.page_references`, computed once per page count.

In: nothing; `cached_page_references()` is a context manager around
`Document.write_pdf`. Out: while it is open, `pydyf.PDF.page_references`
returns the same tuple ("12 0 R" for each page, in order) as pydyf's own
property, but builds it again only when a page has been added since.

Why: pydyf 0.13's property builds the whole tuple on every access, and
WeasyPrint's tagging reads it once per structure element ("Pg") and once per
link destination. That is pages × elements: at 1,000 events (139 pages, 25,000
elements) the tagged write took 6.2 s, 4.1 s with this; at 5,000 events it
grows with the square of the document. The tuple depends only on the page
list, which pydyf only ever appends to (`add_page`), so the length says
whether it changed, and the PDF is byte-for-byte the same (tests check it).

If a pydyf release no longer has the property (or makes it something else),
nothing is changed. The original is put back when the context ends, also after
an error, so nothing outside the PDF write sees the patch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_CACHE = "_briefgen_page_references"  # (page count, references) on each pydyf.PDF being written


@contextmanager
def cached_page_references() -> Iterator[None]:
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property) or original.fget is None:
        yield
        return
    build = original.fget

    def page_references(pdf: Any) -> Any:
        count = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get(_CACHE)
        if cached is None or cached[0] != count:
            cached = (count, build(pdf))
            pdf.__dict__[_CACHE] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original
