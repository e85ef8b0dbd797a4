"""Turning what a member typed into a safe search: terms, "phrases" and -exclusions.

Everything the user types is treated as text: only word characters survive into the
database query, so operators, quotes and SQL fragments can never cause an error.
"""
import html
import re
from dataclasses import dataclass, field

import snowballstemmer

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("german")


@dataclass
class ParsedQuery:
    text: str
    terms: list[str] = field(default_factory=list)      # single words, lower-case
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def is_empty(self):
        return not (self.terms or self.phrases)

    def positive_words(self):
        return self.terms + [w for phrase in self.phrases for w in phrase]


def parse(text):
    text = (text or "")[:MAX_QUERY_LENGTH]
    parsed = ParsedQuery(text=text)
    # Balanced "…" are phrases; a lone quote is ignored.
    for match in re.finditer(r'"([^"]*)"|(-?)([^\s"]+)', text):
        phrase, minus, word = match.groups()
        if phrase is not None:
            words = [w.lower() for w in WORD.findall(phrase)]
            if len(words) == 1:
                parsed.terms.append(words[0])
            elif words:
                parsed.phrases.append(words[:MAX_TERMS])
            continue
        words = [w.lower() for w in WORD.findall(word or "")]
        (parsed.excluded if minus and words else parsed.terms).extend(words)
    parsed.terms = _unique(parsed.terms)[:MAX_TERMS]
    parsed.excluded = _unique(parsed.excluded)[:MAX_TERMS]
    return parsed


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def stem(word):
    return _stemmer.stemWord(word.lower())


def _spellings(word):
    """ß and ss are the same word to a reader; search both spellings."""
    variants = {word}
    if "ss" in word:
        variants.add(word.replace("ss", "ß"))
    if "ß" in word:
        variants.add(word.replace("ß", "ss"))
    return sorted(variants)


def _prefix_group(word):
    return "(" + " OR ".join(f'"{v}"*' for v in _spellings(stem(word))) + ")"


def fts5_expression(parsed):
    """An FTS5 MATCH expression: stemmed prefix terms, exact phrases, NOT for exclusions."""
    parts = [_prefix_group(t) for t in parsed.terms]
    parts += ['"' + " ".join(p) + '"' for p in parsed.phrases]
    if not parts:
        return None
    expression = " AND ".join(parts)
    if parsed.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(
            _prefix_group(t) for t in parsed.excluded) + ")"
    return expression


def websearch_text(parsed):
    """The same query for PostgreSQL's websearch_to_tsquery, rebuilt from clean words only."""
    parts = list(parsed.terms)
    parts += ['"' + " ".join(p) + '"' for p in parsed.phrases]
    parts += ["-" + t for t in parsed.excluded]
    return " ".join(parts)


# --- highlighting -------------------------------------------------------------------------

_FOLD = {"a": "[aäà]", "o": "[oö]", "u": "[uü]", "e": "[eé]"}


def _word_pattern(word):
    out = []
    for ch in stem(word).replace("ß", "ss"):
        out.append(_FOLD.get(ch, re.escape(ch)))
    return "".join(out).replace("ss", "(?:ss|ß)")


def highlight(text, parsed, width=220):
    """An HTML-escaped excerpt around the first match, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    words = parsed.positive_words()
    if not words:
        return html.escape(text[:width])
    pattern = re.compile(r"\b(" + "|".join(_word_pattern(w) for w in words) + r")\w*",
                         re.IGNORECASE)
    first = pattern.search(text)
    start = max((first.start() if first else 0) - width // 3, 0)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    excerpt = text[start:start + width]
    pieces, last = [], 0
    for match in pattern.finditer(excerpt):
        pieces.append(html.escape(excerpt[last:match.start()]))
        pieces.append("<mark>" + html.escape(match.group(0)) + "</mark>")
        last = match.end()
    pieces.append(html.escape(excerpt[last:]))
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + "".join(pieces) + suffix
