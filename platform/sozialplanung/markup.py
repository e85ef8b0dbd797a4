"""Markdown -> sanitized HTML. The only module that imports bleach; run at write time."""
import bleach
from bleach.linkifier import DEFAULT_CALLBACKS, Linker
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "ul", "ol", "li", "blockquote", "code", "pre", "a", "table", "thead", "tbody",
    "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"

# html=False: raw HTML in the source is shown as text, never passed through.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_linker = Linker(callbacks=[*DEFAULT_CALLBACKS, _set_rel], skip_tags={"pre", "code"},
                 parse_email=False)


def _strip_styles(html):
    # markdown-it writes table alignment as style="text-align:…"; CSS is not allowed through.
    return html.replace(' style="text-align:left"', "").replace(
        ' style="text-align:center"', "").replace(' style="text-align:right"', "")


def render_markdown(source: str) -> str:
    """Render member-written Markdown to HTML that is safe to show with |safe."""
    html = _md.render(source or "")
    html = _strip_styles(html)
    cleaned = _cleaner.clean(html)
    return _linker.linkify(cleaned)
