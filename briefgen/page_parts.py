"""Finishing a rendered page: rendered HTML → its title, and the HTML with its contents list filled in.

In: the HTML a template rendered. Out: `html_title` (the text of its <title>),
`add_table_of_contents` (the template's empty `<nav class="toc" …></nav>`
filled with a link to every h2 and h3 that has an id, in document order) and
`attribute_text` (text made safe inside a double-quoted HTML attribute).
Headings are found in the parsed document (lxml), so attribute order, nested
markup and entities in a heading make no difference.
"""

from __future__ import annotations

import html as html_escaping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lxml.html

# What base.html.j2 writes where the contents list goes; any other <nav> is left alone.
TOC_PLACEHOLDER = '<nav class="toc" aria-label="Contents"></nav>'


def _parse(html: str) -> lxml.html.HtmlElement | None:
    import lxml.html  # imported when a page is finished: a build that is up to date never needs it

    try:
        return lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError/ValueError for empty or unparsable input
        return None


def html_title(html: str) -> str:
    """The text of the page's <title>, entities decoded and white space collapsed ("" if it has none)."""
    root = _parse(html)
    if root is None:
        return ""
    title = root.find("head/title")
    if title is None:
        title = root.find(".//title")
    return " ".join((title.text_content() if title is not None else "").split())


def attribute_text(text: str) -> str:
    """`text` escaped for a double-quoted attribute value: & " < > become entities."""
    return html_escaping.escape(text, quote=True).replace("&#x27;", "'")


def add_table_of_contents(html: str) -> str:
    """Fill the template's empty <nav class="toc"> with links to every h2/h3 that has an id."""
    if TOC_PLACEHOLDER not in html:
        return html
    root = _parse(html)
    entries = []
    for heading in root.iter("h2", "h3") if root is not None else ():
        anchor = heading.get("id")
        if not anchor:
            continue
        label = " ".join(heading.text_content().split())
        level = int(heading.tag[1]) - 1
        entries.append(f'<li class="level-{level}"><a href="#{attribute_text(anchor)}">'
                       f'{html_escaping.escape(label, quote=False)}</a></li>')
    toc = ('<nav class="toc" aria-label="Contents">\n<p class="toc-title"><strong>Contents</strong></p>\n<ol>\n'
           + "\n".join(entries) + "\n</ol>\n</nav>")
    return html.replace(TOC_PLACEHOLDER, toc, 1)
