"""Markdown -> sanitized HTML. The only module that imports bleach; run at write time."""
import html as html_module
import re
from functools import partial

import bleach
from bleach.linkifier import DEFAULT_CALLBACKS, LinkifyFilter, build_url_re
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
# breaks=True: a line break typed in a post or an address stays a line break, as people expect.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                "breaks": True})
_md.enable(["table", "strikethrough"])


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


# Linkify inside the cleaner's own pass: a second pass with bleach's Linker re-escapes the
# text of <code>/<pre> (`a < b` would show as "a &lt; b"). Linkify runs after sanitizing, so
# it must only make http(s) links itself (its default also turns "data://…" into a link).
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[*DEFAULT_CALLBACKS, _set_rel],
                     skip_tags={"pre", "code"}, parse_email=False,
                     url_re=build_url_re(protocols=["http", "https"]))],
)


def _strip_styles(html):
    # markdown-it writes table alignment as style="text-align:…"; CSS is not allowed through.
    return html.replace(' style="text-align:left"', "").replace(
        ' style="text-align:center"', "").replace(' style="text-align:right"', "")


def _render_with_shifted_headings(source):
    # The page already has its <h1>: a member's "# Title" becomes <h2>, and so on down to <h6>.
    env = {}
    tokens = _md.parse(source, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return _md.renderer.render(tokens, _md.options, env)


def render_markdown(source: str) -> str:
    """Render member-written Markdown to HTML that is safe to show with |safe."""
    html = _render_with_shifted_headings(source or "")
    html = _strip_styles(html)
    return _cleaner.clean(html)


_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|td|th)>|<br\s*/?>")


def plain_text(safe_html):
    """What a reader sees of HTML made by render_markdown, as text (for calendar descriptions
    and search snippets): tags gone, entities decoded, blocks and line breaks on new lines."""
    text = _TAGS.sub("", _BREAKS.sub("\n", safe_html or ""))
    return html_module.unescape(text).strip()
