"""HTML mail turned into clean plain text: nh3 removes everything but the text, block ends become line breaks."""
import html
import re

import nh3

#: Tags whose end is a line break in the text; everything else only separates words.
BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol",
          "pre", "hr", "section", "article", "header", "footer", "address", "dd", "dt"}
#: Table cells: kept apart by a space, so that the words of two cells do not run together.
CELLS = {"td", "th"}
_TAG = re.compile(r"<(/?)([a-z0-9]+)>")


def html_to_text(markup):
    """The words of an HTML document as plain text, one paragraph, row or list item per line."""
    # First pass: nh3 parses the HTML as a browser would and keeps only bare block tags, so that what is left is
    # simple enough for a pattern (no attributes, comments, scripts or styles, whose content nh3 drops).
    skeleton = nh3.clean(markup or "", tags=BLOCKS | CELLS, attributes={}, strip_comments=True, link_rel=None)
    # Line breaks in the source are spaces to a browser; breaks come from the tags alone.
    skeleton = re.sub(r"\s+", " ", skeleton)

    def block_end(match):
        closing, name = match.groups()
        if name in CELLS:
            return " "
        if name == "li":
            return "" if closing else "\n- "
        return "\n"

    text = _TAG.sub(block_end, skeleton)
    text = html.unescape(nh3.clean(text, tags=set(), attributes={}))
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
