"""Turning what a member typed into a safe search: terms, "phrases" and -exclusions.

Everything the user types is treated as text: only word characters survive into the
database query, so operators, quotes and SQL fragments can never cause an error.
"""
import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import snowballstemmer
from markupsafe import Markup

from . import stopwords

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MIN_NAME_STEM = 6
WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("german")


@dataclass
class ParsedQuery:
    text: str
    terms: list[str] = field(default_factory=list)      # single words, lower-case
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    excluded_phrases: list[list[str]] = field(default_factory=list)
    common: list[str] = field(default_factory=list)     # stop words left out of the search
    shortened: bool = False   # words beyond MAX_TERMS or MAX_QUERY_LENGTH were left out

    @property
    def is_empty(self):
        return not (self.terms or self.phrases)

    def positive_words(self):
        return self.terms + [w for phrase in self.phrases for w in phrase]

    @property
    def searched(self):
        """What was searched for, written as the member would type it."""
        return " ".join(self.terms + [_quoted(p) for p in self.phrases]
                        + ["-" + w for w in self.excluded]
                        + ["-" + _quoted(p) for p in self.excluded_phrases])

    @cached_property
    def stems(self):
        """The stems of every spelling of the searched words. A word in a text matches when
        its stem is one of them, as the indexes decide."""
        return frozenset(stem(variant) for word in self.positive_words()
                         for variant in spellings(word))

    @cached_property
    def fragments(self):
        """Every name fragment of the searched words (see `fragments`), for highlighting."""
        return frozenset(f for word in self.positive_words() for f in fragments(word))


def _quoted(words):
    return '"' + " ".join(words) + '"'


def parse(text):
    """Terms, "phrases", -exclusions and -"excluded phrases": at most MAX_TERMS words to find
    and as many to exclude, cut at a word boundary after MAX_QUERY_LENGTH characters; stop
    words are left out of single words, as PostgreSQL's index leaves them out."""
    text = unicodedata.normalize("NFKC", text or "").strip()  # "ﬁ" -> "fi", full-width -> ASCII
    kept = text[:MAX_QUERY_LENGTH]
    if len(text) > MAX_QUERY_LENGTH and not text[MAX_QUERY_LENGTH].isspace() and " " in kept:
        kept = kept.rsplit(None, 1)[0]  # never search for half a word
    parsed = ParsedQuery(text=kept, shortened=len(kept) < len(text))
    budget = {False: MAX_TERMS, True: MAX_TERMS}  # words to find, words to exclude
    # Balanced "…" are phrases; a lone quote is ignored.
    for match in re.finditer(r'(-?)"([^"]*)"|(-?)([^\s"]+)', kept):
        phrase_minus, phrase, minus, word = match.groups()
        words = _words(phrase if phrase is not None else word)
        excluded = bool(phrase_minus if phrase is not None else minus)
        parsed.shortened |= len(words) > budget[excluded]
        words = words[:budget[excluded]]
        budget[excluded] -= len(words)
        if phrase is not None and len(words) > 1:
            (parsed.excluded_phrases if excluded else parsed.phrases).append(words)
        else:
            (parsed.excluded if excluded else parsed.terms).extend(words)
    parsed.common = _unique([w for w in parsed.terms if is_stop_word(w)])
    parsed.terms = _unique([w for w in parsed.terms if not is_stop_word(w)])
    parsed.excluded = _unique([w for w in parsed.excluded if not is_stop_word(w)])
    return parsed


def _words(text):
    # lower() writes "İ" as "i" plus a combining dot, which would split the word in two.
    return [w.lower() for w in WORD.findall(text.lower().replace("\u0307", ""))]


def is_stop_word(word):
    """PostgreSQL folds umlauts before it looks a word up in the list, so "für" is searched."""
    return word in stopwords.GERMAN and not any(letter in "äöüß" for letter in word)


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def stem(word):
    return _stemmer.stemWord(word.lower())


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def fold(text):
    """Lower case without umlauts and ß: the form in which names are compared."""
    return text.lower().translate(_FOLD)


@lru_cache(maxsize=1024)
def fragments(word):
    """What a name, organisation or job title must contain to match `word`: the folded word
    in every spelling ("Koehler" and "Kohler" find "Köhler") or a long stem ("Planungen" finds
    "Sozialplanung"; short stems of names are too wide: "Köhler" would find "Kohlmann").
    Names are matched by their parts, so "Hoff" finds "Hoffmann"."""
    found = {fold(form) for variant in spellings(word) for form in (variant, stem(variant))
             if form == variant or len(form) >= MIN_NAME_STEM}
    return tuple(sorted(f for f in found
                        if not any(other != f and other in f for other in found)))


_TRANSCRIBED_U = re.compile(r"(?<!q)ue")  # "Quelle" has no ü


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


# What Snowball's German stemmer takes off a word: derivational suffixes, then inflection
# endings. A stem plus such an ending that stems back to the same stem is a form of the word
# that an index without stemming may hold.
_DERIVATIONS = ("end", "ung", "ig", "ik", "isch", "lich", "heit", "keit")
_SHORT_ENDINGS = ("", "e", "em", "en", "er", "ern", "es", "n", "s")
_ENDINGS = _SHORT_ENDINGS + ("ende", "enden", "ens", "ere", "erem", "eren", "erer", "eres",
                             "est", "ns", "st", "ste", "sten", "ster", "stes")
_SUFFIXES = _ENDINGS + tuple(d + e for d in _DERIVATIONS for e in _SHORT_ENDINGS)
# Longer "words" are no German words; their forms are not worth working out (nor caching).
MAX_WORD_FOR_FORMS = 40


@lru_cache(maxsize=1024)
def word_forms(word):
    """The forms of `word` that FTS5's index may hold (it stores words as written, umlauts
    folded, ß kept): every spelling, and every word with the same stem built from the stem or
    from the word as typed plus an ending, so "Kind" finds "Kindern", "Planungen" finds
    "Planung", and "aktuell" finds "aktuellen" (whose stem "aktull" reads "ue" as "ü")."""
    variants = spellings(word)
    forms = set(variants)
    if len(word) <= MAX_WORD_FOR_FORMS:
        stems = {stem(variant) for variant in variants}
        bases = set(stems)
        # Where the stemmer changed the word inside, not only cut its end ("aktuell" ->
        # "aktull"), forms are also built from the word as typed; otherwise the stem alone
        # gives them (and every form more is one more lookup in the index).
        if not fold(word).startswith(stem(word)):
            bases.add(word)
            bases.update(word[:-len(ending)] for ending in _ENDINGS
                         if ending and word.endswith(ending))
        forms.update(base + suffix for base in bases for suffix in _SUFFIXES
                     if stem(base + suffix) in stems)
    forms.update([form.replace("ss", "ß") for form in forms if "ss" in form])
    return tuple(sorted(forms))


def fts5_word(word):
    """Any form of one word, as an FTS5 expression."""
    return "(" + " OR ".join(f'"{form}"' for form in word_forms(word)) + ")"


def fts5_phrase(words):
    return '"' + " ".join(words) + '"'


def fts5_expression(parsed):
    """An FTS5 MATCH expression: every form of each word, exact phrases, NOT for exclusions.
    Only word characters reach it, each inside quotes: FTS5 syntax cannot be typed."""
    parts = [fts5_word(t) for t in parsed.terms] + [fts5_phrase(p) for p in parsed.phrases]
    if not parts:
        return None
    expression = " AND ".join(parts)
    excluded = [fts5_word(w) for w in parsed.excluded]
    excluded += [fts5_phrase(p) for p in parsed.excluded_phrases]
    if excluded:
        expression = f"({expression}) NOT (" + " OR ".join(excluded) + ")"
    return expression


# --- highlighting -------------------------------------------------------------------------

def highlight(text, parsed, width=220, by_parts=False):
    """An HTML-escaped excerpt (Markup) around the first match, matches wrapped in <mark>.
    Words match by stem, as in the indexes; `by_parts` for names, which match by fragments."""
    text = " ".join((text or "").split())
    if not parsed.stems:
        return Markup.escape(text[:width])
    if by_parts:
        def matches(word):
            return any(f in fold(word) for f in parsed.fragments)
    else:
        def matches(word):
            return stem(word) in parsed.stems
    first = next((m for m in WORD.finditer(text) if matches(m.group())), None)
    start = max((first.start() if first else 0) - width // 3, 0)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    excerpt = text[start:start + width]
    pieces, last = [], 0
    for match in WORD.finditer(excerpt):
        if matches(match.group()):
            pieces.append(html.escape(excerpt[last:match.start()]))
            pieces.append("<mark>" + html.escape(match.group()) + "</mark>")
            last = match.end()
    pieces.append(html.escape(excerpt[last:]))
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return Markup(prefix + "".join(pieces) + suffix)  # every piece of text escaped above
