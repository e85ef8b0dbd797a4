"""Turning what a member typed into a safe search: terms, "phrases" and -exclusions.

Everything the user types is treated as text: only word characters survive into the
database query, so operators, quotes and SQL fragments can never cause an error.
"""
import html
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

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

    @cached_property
    def stems(self):
        """The stems of every spelling of the searched words. A word in a text matches when
        its stem is one of them, as the indexes decide."""
        return frozenset(stem(variant) for word in self.positive_words()
                         for variant in spellings(word))


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


def spellings(word):
    """The ways a German word is written: with ß or ss, with umlauts or ae/oe/ue. To a reader
    they are the same word, so a search looks for every one of them."""
    variants = {word, word.replace("ß", "ss")}
    if "ss" in word:
        variants.add(word.replace("ss", "ß"))
    for variant in list(variants):
        variants.add(variant.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
        variants.add(_TRANSCRIBED_U.sub("ü", variant).replace("ae", "ä").replace("oe", "ö"))
    return sorted(variants)


_TRANSCRIBED_U = re.compile(r"(?<!q)ue")  # "Quelle" has no ü


# What Snowball's German stemmer takes off a word: derivational suffixes, then inflection
# endings. A stem plus such an ending that stems back to the same stem is a form of the word
# that an index without stemming may hold.
_DERIVATIONS = ("end", "ung", "ig", "ik", "isch", "lich", "heit", "keit")
_SHORT_ENDINGS = ("", "e", "em", "en", "er", "ern", "es", "n", "s")
_ENDINGS = _SHORT_ENDINGS + ("ende", "enden", "ens", "ere", "erem", "eren", "erer", "eres",
                             "est", "ns", "st", "ste", "sten", "ster", "stes")
_SUFFIXES = _ENDINGS + tuple(d + e for d in _DERIVATIONS for e in _SHORT_ENDINGS)


@lru_cache(maxsize=4096)
def word_forms(word):
    """The forms of `word` that FTS5's index may hold (it stores words as written, umlauts
    folded, ß kept): every spelling, and every stem + ending that stems back to the same stem,
    so "Kind" finds "Kindern" and "Planungen" finds "Planung", as on PostgreSQL."""
    variants = spellings(word)
    forms = set(variants)
    for base in {stem(variant) for variant in variants}:
        forms.update(base + suffix for suffix in _SUFFIXES if stem(base + suffix) == base)
    forms.update([form.replace("ss", "ß") for form in forms if "ss" in form])
    return tuple(sorted(forms))


def _any_form(word):
    return "(" + " OR ".join(f'"{form}"' for form in word_forms(word)) + ")"


def fts5_expression(parsed):
    """An FTS5 MATCH expression: every form of each word, exact phrases, NOT for exclusions.
    Only word characters reach it, each inside quotes: FTS5 syntax cannot be typed."""
    parts = [_any_form(t) for t in parsed.terms]
    parts += ['"' + " ".join(p) + '"' for p in parsed.phrases]
    if not parts:
        return None
    expression = " AND ".join(parts)
    if parsed.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(
            _any_form(t) for t in parsed.excluded) + ")"
    return expression


# --- highlighting -------------------------------------------------------------------------

def highlight(text, parsed, width=220):
    """An HTML-escaped excerpt around the first match, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    stems = parsed.stems
    if not stems:
        return html.escape(text[:width])
    first = next((m for m in WORD.finditer(text) if stem(m.group()) in stems), None)
    start = max((first.start() if first else 0) - width // 3, 0)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    excerpt = text[start:start + width]
    pieces, last = [], 0
    for match in WORD.finditer(excerpt):
        if stem(match.group()) in stems:
            pieces.append(html.escape(excerpt[last:match.start()]))
            pieces.append("<mark>" + html.escape(match.group()) + "</mark>")
            last = match.end()
    pieces.append(html.escape(excerpt[last:]))
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + "".join(pieces) + suffix
