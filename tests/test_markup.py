"""markup.render_markdown: CommonMark formatting survives, hostile input never does.

Safety is checked on the parsed output, the way a browser would read it: only allow-listed
tags and attributes, no event handlers or styles, and every link's scheme (after resolving
entities and dropping the whitespace and control characters browsers ignore) is http, https
or mailto, or the link is relative.
"""
import re
import time
from html import unescape
from html.parser import HTMLParser

import pytest

from sozialplanung.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, render_markdown


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []      # (tag, {attr: value})
        self.comments = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.comments.append(data)


def parse(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\ufeff]")


def link_scheme(href):
    """The scheme a browser would use for `href` ('' for relative links)."""
    url = _IGNORED_IN_URLS.sub("", unescape(href)).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", url)
    return match.group(1) if match else ""


def assert_safe(html):
    doc = parse(html)
    assert not doc.comments, html
    for tag, attrs in doc.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRIBUTES.get(tag, []), (tag, name, html)
            assert not name.startswith("on") and name != "style", html
        if tag == "a":
            assert attrs.get("rel") == LINK_REL, html
            if "href" in attrs:
                assert link_scheme(attrs["href"]) in ("", "http", "https", "mailto"), html
    # Text may mention "javascript:" or "<script>" (escaped); no such tag may exist.
    lowered = html.lower()
    for needle in ("<script", "<style", "<img", "<svg", "<iframe", "<object", "<embed",
                   "<form", "<input", "<meta", "<base", "<link", "<math", "<video", "<source",
                   "<details", "<noscript", "<body", "<div", "<b>", "<i>"):
        assert needle not in lowered, (needle, html)


def _texts(html):
    """Plain text of the output (what the reader sees)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](jAvAsCrIpT&#x3A;alert(1))",
    "[x](java&#9;script:alert(1))",
    "[x](java&#10;script:alert(1))",
    "[x](java\u0000script:alert(1))",
    "[x](\u2028javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](  javascript:alert(1))",
    "[x](javascript://%0aalert(1))",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](DaTa:text/html,x)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;charset=utf-8,hallo.example.com",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "![Zählpixel](https://evil.example/track.gif)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: data:text/html,x",
    '[x](https://example.org "Titel\\" onmouseover=\\"alert(1)")',
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<p>unclosed <b><i>malformed</div></div></p></td>",
    "<table><tr><td onmouseover=alert(1)>x</td></tr></table>",
    "> > > <script>alert(1)</script>\n> > [x](javascript:alert(1))",
    "> " * 200 + "<img src=x onerror=alert(1)>",
    "- " * 200 + "[x](javascript:alert(1))",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '[x](https://example.org/"><script>alert(1)</script>)',
    'www.example.org/"onmouseover="alert(1)',
    "http://example.org/<script>alert(1)</script>",
    '<http://example.org/" onmouseover="alert(1)>',
    "[x](file:///etc/passwd)",
    "[x](ftp://example.org/datei)",
    "feed:javascript:alert(1)",
    "[x](feed:javascript:alert(1))",
    "[@Maria Mitglied](javascript:alert(1))",
    "x" * 30_000 + "<script>alert(1)</script>" + "y" * 30_000,
    '<a href="https://example.org" rel="opener" target="_blank">x</a>',
    "<p onmouseover=alert(1)>Absatz</p>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[x](https://example.org)<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("source", HOSTILE, ids=lambda s: repr(s[:50]))
def test_hostile_input_never_survives(source):
    html = render_markdown(source)
    assert_safe(html)


def test_there_are_at_least_forty_hostile_vectors():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    '<a href="https://example.org">Link</a>', "<b>fett</b>",
])
def test_raw_html_is_shown_as_text_not_dropped(source):
    html = render_markdown(source)
    assert _texts(html).strip() == source


def test_script_text_is_visible_but_inert():
    html = render_markdown("Bitte kein <script>alert(1)</script> schreiben")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- formatting that must survive --------------------------------------------------------

@pytest.mark.parametrize("source,expected", [
    # The page has its own <h1>: member headings start one level lower.
    ("# Titel", "<h2>Titel</h2>"),
    ("### Unterpunkt", "<h4>Unterpunkt</h4>"),
    ("###### Ganz unten", "<h6>Ganz unten</h6>"),
    ("Text\n===", "<h2>Text</h2>"),
    ("**fett** und *kursiv*", "<strong>fett</strong> und <em>kursiv</em>"),
    ("~~gestrichen~~", "<s>gestrichen</s>"),
    ("- eins\n- zwei", "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>"),
    ("3. drei\n4. vier", '<ol start="3">\n<li>drei</li>\n<li>vier</li>\n</ol>'),
    ("> zitiert", "<blockquote>\n<p>zitiert</p>\n</blockquote>"),
    ("> außen\n>> innen",
     "<blockquote>\n<p>außen</p>\n<blockquote>\n<p>innen</p>\n</blockquote>\n</blockquote>"),
    ("`code`", "<code>code</code>"),
    ("```\nzeile\n```", "<pre><code>zeile\n</code></pre>"),
    ("---", "<hr>"),
    ("Zeile  \numbruch", "Zeile<br>\numbruch"),
])
def test_formatting_survives(source, expected):
    html = render_markdown(source)
    assert expected in html
    assert_safe(html)


def test_tables_survive_without_inline_styles():
    html = render_markdown("| Kreis | Einwohner |\n|:---|---:|\n| Weimarer Land | 82.000 |")
    assert "<table>" in html and "<th>Kreis</th>" in html and "<td>82.000</td>" in html
    assert "style" not in html
    assert_safe(html)


@pytest.mark.parametrize("source,href", [
    ("[Institut](https://example.org/seite?a=1&b=2)", "https://example.org/seite?a=1&amp;b=2"),
    ("[Mail](mailto:info@example.org)", "mailto:info@example.org"),
    ("<https://example.org/auto>", "https://example.org/auto"),
    ("Siehe https://example.org/text.", "https://example.org/text"),
    ("www.thueringen.de", "http://www.thueringen.de"),
    ("[Profil](/mitglieder/3)", "/mitglieder/3"),
])
def test_links_survive_with_rel_nofollow_noopener_ugc(source, href):
    html = render_markdown(source)
    assert f'href="{href}"' in html
    assert f'rel="{LINK_REL}"' in html
    assert html.count("<a ") == html.count(f'rel="{LINK_REL}"')


def test_link_title_is_kept_and_escaped():
    html = render_markdown('[x](https://example.org "Ein \\"Titel\\"")')
    assert 'title="Ein &quot;Titel&quot;"' in html


def test_existing_rel_is_replaced():
    html = render_markdown("[x](https://example.org)")
    assert html.count("rel=") == 1


def test_disallowed_link_keeps_its_text():
    html = render_markdown("[Klick mich](javascript:alert(1))")
    assert "Klick mich" in _texts(html)


@pytest.mark.parametrize("source,expected", [
    ("`a < b && c`", "<code>a &lt; b &amp;&amp; c</code>"),
    ("```\nif (a < b) { x = \"&amp;\"; }\n```",
     "<pre><code>if (a &lt; b) { x = &quot;&amp;amp;&quot;; }\n</code></pre>"),
    ("`<script>`", "<code>&lt;script&gt;</code>"),
])
def test_code_is_escaped_exactly_once(source, expected):
    assert expected in render_markdown(source)


@pytest.mark.parametrize("source", [
    "data://example.com/x", "ftp://example.org/datei", "irc://irc.example.org",
    "feed://example.com/rss", "telnet://example.com",
])
def test_bare_urls_of_other_schemes_are_not_linkified(source):
    html = render_markdown(source)
    assert_safe(html)


def test_links_inside_code_are_not_linkified():
    html = render_markdown("`https://example.org` und\n\n    www.example.org")
    assert "<a " not in html


# --- awkward input ------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "x" * 100_000,
    "*" * 50_000,
    "[" * 50_000,
    "<" * 50_000,
    "> " * 5_000,
    "- " * 5_000,
    "`" * 50_000,
    "a_" * 25_000,
    "[a](" * 10_000,
    "\n" * 50_000,
    "| a " * 2_000 + "|\n" + "|---" * 2_000 + "|\n" + "| x " * 2_000 + "|",
])
def test_pathological_input_renders_quickly_and_safely(source):
    started = time.monotonic()
    html = render_markdown(source)
    assert time.monotonic() - started < 5
    assert_safe(html)


def test_very_long_line_is_kept_whole():
    line = "Sozialplanung" * 5_000
    assert line in render_markdown(line)


def test_empty_and_none_render_to_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_umlauts_and_typography_are_kept():
    html = render_markdown("Größe „Zitat“ – Straße")
    assert "Größe „Zitat“ – Straße" in html


def test_a_typed_line_break_stays_a_line_break():
    html = render_markdown("Institut für Sozialplanung\nMusterstraße 1\n99084 Erfurt\n\nNeuer Absatz")
    assert html.count("<br>") == 2 and html.count("<p>") == 2
    assert "Musterstraße 1<br>" in html
