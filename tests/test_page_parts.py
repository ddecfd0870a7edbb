"""page_parts: the contents list and the page title come from the parsed HTML, whatever the markup's order."""

from __future__ import annotations

from briefgen.page_parts import TOC_PLACEHOLDER, add_table_of_contents, attribute_text, html_title


def _page(body: str) -> str:
    return f"<html><head><title>T</title></head><body>{TOC_PLACEHOLDER}{body}</body></html>"


def test_contents_list_every_h2_and_h3_with_an_id_in_order():
    html = add_table_of_contents(_page(
        '<h2 class="first" id="dates">Key <em>dates</em></h2>'   # id after another attribute
        '<h3 id="y2014" data-x="1">2014 &amp; after</h3>'         # an entity in the text
        '<h2>No anchor</h2>'                                       # no id: nothing to link to
        '<h4 id="deep">Too deep</h4>'
        '<h2 id="money">Funding\n  annex</h2>'))
    contents = html[html.index("<nav"):html.index("</nav>")]
    assert contents.count("<li") == 3
    assert '<li class="level-1"><a href="#dates">Key dates</a></li>' in contents
    assert '<li class="level-2"><a href="#y2014">2014 &amp; after</a></li>' in contents
    assert '<li class="level-1"><a href="#money">Funding annex</a></li>' in contents
    assert contents.index("#dates") < contents.index("#y2014") < contents.index("#money")


def test_a_page_without_the_placeholder_is_unchanged():
    html = "<html><body><h2 id='a'>A</h2></body></html>"
    assert add_table_of_contents(html) is html


def test_attribute_text_cannot_end_the_attribute():
    assert attribute_text('Chart: "a" <b> & c\'s') == "Chart: &quot;a&quot; &lt;b&gt; &amp; c's"


def test_title():
    assert html_title(_page("")) == "T"
