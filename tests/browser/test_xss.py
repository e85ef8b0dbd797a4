"""Scripts a member types never run: every vector of xss_vectors.py goes through the real
forms (thread titles, post bodies, profile name/position/phone/bio, document titles,
descriptions, tags and file names, announcement title/teaser/text/place/links/image text, group
names and descriptions, membership requests, report, lock and hide reasons, search queries).
The pages that show them are opened with the portal's Content-Security-Policy, and those that
show many at once also with CSP switched off in the browser (so escaping alone must hold). No
dialog may open, no element or attribute may be injected, CSP must report nothing, and the
text must be shown as typed.

The vectors are sent with the signed-in browser's own HTTP requests (form fields plus CSRF
token), several per request, so the whole list takes few requests."""
import re
import unicodedata
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from sozialplanung.extensions import db
from sozialplanung.forum import services as forum
from sozialplanung.forum.models import Post, Thread
from sozialplanung.groups.models import WorkingGroup
from sozialplanung.text import without_invisible

from ..factories import make_group, make_user
from .site import png_bytes
from .xss_vectors import GROUPS, TEMPLATE_RESULT, VECTORS, chunks

# Anything a vector could have smuggled into the page, looked for in the live DOM.
INERT_JS = r"""
() => {
  const out = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc',
                    'background', 'poster', 'srcset', 'ping', 'codebase', 'lowsrc', 'dynsrc'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (el instanceof HTMLUnknownElement) out.push('unbekanntes Element <' + tag + '>');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) out.push('<' + tag + '> mit ' + name);
      if (name === 'style' || name === 'srcdoc' || name === 'formaction') out.push('<' + tag + '> mit ' + name);
      if (urlAttrs.includes(name)) {
        const value = attr.value.replace(/[\u0000-\u0020\u007f-\u00a0]/g, '');
        if (/^(javascript|vbscript|livescript|data):/i.test(value)) out.push('<' + tag + ' ' + name + '="' + attr.value.slice(0, 40) + '">');
      }
    }
  }
  for (const el of document.querySelectorAll('script')) {
    if (!(el.getAttribute('src') || '').startsWith('/static/')) out.push('<script> ' + el.outerHTML.slice(0, 60));
  }
  const never = 'iframe, frame, frameset, object, embed, applet, svg, math, template, video, audio, ' +
    'source, marquee, xmp, listing, plaintext, isindex, noscript, body style, body meta, body link, body base, body title';
  for (const el of document.querySelectorAll(never)) out.push('eingeschleust: <' + el.tagName.toLowerCase() + '>');
  for (const el of document.querySelectorAll('img')) {
    if (!(el.getAttribute('src') || '').startsWith('/neuigkeiten/')) out.push('<img src="' + el.getAttribute('src') + '">');
  }
  for (const el of document.querySelectorAll('form')) {
    const action = el.getAttribute('action') || '';
    if (action && !action.startsWith('/')) out.push('<form action="' + action.slice(0, 40) + '">');
  }
  // Rendered Markdown and search snippets hold only the sanitizer's tags.
  const allowed = new Set(['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em',
    'del', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'a', 'table', 'thead', 'tbody',
    'tr', 'th', 'td', 'mark']);
  for (const el of document.querySelectorAll('.post-body *, .prose *, .snippet *, .news-teaser *')) {
    if (!allowed.has(el.tagName.toLowerCase())) out.push('in Inhalt: <' + el.tagName.toLowerCase() + '>');
  }
  const text = document.body.innerText;
  if (text.includes('""" + TEMPLATE_RESULT + r"""')) out.push('Vorlage ausgewertet (1337)');
  if (text.includes('test-secret')) out.push('SECRET_KEY sichtbar');
  return out;
}
"""


def normalized(text):
    """Text as the portal stores a title: invisible characters and direction overrides
    removed, whitespace collapsed."""
    return " ".join(without_invisible(text).split())


class Inspector:
    """One member looking at pages: with the portal's CSP (`strict`) and, for pages that show
    many vectors at once, also with CSP bypassed (`open`). Collects what a vector did."""

    def __init__(self, as_user, base_url, user):
        self.base_url, self.user, self._as_user = base_url, user, as_user
        self.strict = as_user(user)
        self._open = None
        self.problems, self.visited = [], 0

    @property
    def open(self):
        if self._open is None:
            self._open = self._as_user(self.user, bypass_csp=True)
        return self._open

    def post(self, path, form=None, multipart=None):
        """Send a form as this member's browser does (session cookie and CSRF token); the
        portal must accept it (and answer with a redirect to what it saved)."""
        data = {**(form or multipart), "csrf_token": self.strict.csrf_token}
        response = self.strict.request.post(
            self.base_url + path, form=data if form else None,
            multipart=data if multipart else None, max_redirects=0)
        assert response.status == 302, f"{path}: HTTP {response.status} {response.text()[:300]}"
        return response

    def check(self, path, shows=(), both=False):
        for page in (self.strict, self.open) if both else (self.strict,):
            response = page.goto(self.base_url + path)
            self._inspect(page, path, response.status, shows)
        return self

    def submit_in_browser(self, path, values, button):
        """Fill a form in both pages and send it; the answer (with errors) is inspected."""
        for page in (self.strict, self.open):
            page.goto(self.base_url + path)
            for selector, value in values.items():
                page.locator(selector).fill(value)
            with page.expect_navigation() as answer:
                page.get_by_role("button", name=button, exact=True).click()
            self._inspect(page, path, answer.value.status, ())

    def _inspect(self, page, path, status, shows):
        self.visited += 1
        if status >= 500:
            self.problems.append(f"{path}: HTTP {status}")
            return
        page.wait_for_timeout(20)  # onerror/onload/onfocus handlers get their chance
        label = "ohne CSP" if page is self.open else "mit CSP"
        self.problems += [f"{path} ({label}): {p}" for p in page.evaluate(INERT_JS)]
        if shows:
            text = normalized(page.locator("body").inner_text())
            self.problems += [f"{path}: Text fehlt: {s[:60]!r}" for s in shows
                              if normalized(s) not in text]

    def assert_inert(self):
        for page, label in ((self.strict, "mit CSP"), (self._open, "ohne CSP")):
            if page is None:
                continue
            self.problems += [f"Dialog ({label}): {d}" for d in page.watch.dialogs]
            self.problems += [f"Skriptfehler ({label}): {e}" for e in page.watch.page_errors]
        watch = self.strict.watch
        self.problems += [f"CSP-Verstoß: {c}" for c in watch.csp + watch.csp_console]
        assert self.problems == [], "\n".join(dict.fromkeys(self.problems))


@pytest.fixture
def members():
    anna = make_user(display_name="Anna Meier")
    bernd = make_user(display_name="Bernd Schulz")
    group = make_group(name="Arbeitskreis Demografie", members=[anna, bernd])
    return anna, bernd, group


def _post_ids(thread_id):
    return db.session.scalars(select(Post.id).where(Post.thread_id == thread_id)
                              .order_by(Post.number)).all()


def test_the_inspection_finds_what_escaping_would_let_through(as_user, base_url):
    """The checks themselves: every tag and mutation vector, put into a page unescaped,
    is found (so a passing test means the portal escaped it)."""
    page = as_user(None, bypass_csp=True)
    page.goto(base_url + "/anmelden")
    missed = []
    for vector in GROUPS["tag"] + GROUPS["mutation"] + GROUPS["attribute"][:12]:
        dialogs = len(page.watch.dialogs)
        page.evaluate("""(html) => { const d = document.createElement('div');
            d.className = 'post-body'; document.querySelector('main').append(d);
            d.innerHTML = '<input value="' + html + '">' + html; }""", vector)
        page.wait_for_timeout(20)
        if not page.evaluate(INERT_JS) and len(page.watch.dialogs) == dialogs:
            missed.append(vector)
        page.evaluate("() => document.querySelectorAll('main .post-body').forEach(e => e.remove())")
    assert missed == []


def test_vector_list_is_broad():
    assert len(VECTORS) >= 100, len(VECTORS)
    assert len(set(VECTORS)) == len(VECTORS)
    for kind, vectors in GROUPS.items():
        assert len(vectors) >= 5, kind


def test_thread_titles_and_post_bodies(as_user, base_url, members):
    anna, bernd, group = members
    author = Inspector(as_user, base_url, anna)
    titles = chunks(VECTORS, 200)
    for n, title in enumerate(titles):
        author.post(f"/arbeitskreise/{group.slug}/neues-thema",
                    {"title": title, "body": f"Beitrag {n}", "submission_key": f"t{n}"})
    first = author.post(f"/arbeitskreise/{group.slug}/neues-thema", {
        "title": "Sammlung", "body": "\n\n".join(VECTORS[:50]), "submission_key": "s0"})
    thread_id = int(re.search(r"/themen/(\d+)", first.headers["location"]).group(1))
    for n, body in enumerate(("\n\n".join(VECTORS[50:]), "\n".join(VECTORS),
                              " ".join(v.replace("\n", " ") for v in VECTORS))):
        author.post(f"/themen/{thread_id}/antworten", {"body": body, "submission_key": f"r{n}"})
    post_ids = _post_ids(thread_id)
    threads = dict(db.session.execute(select(Thread.title, Thread.id)).all())
    for title in titles:
        author.check(f"/themen/{threads[normalized(title)]}", shows=[title])
    for page in (1, 2):
        author.check(f"/arbeitskreise/{group.slug}?page={page}", both=True)
    author.check(f"/themen/{thread_id}", shows=["Sammlung"], both=True)
    author.check(f"/themen/{thread_id}/antworten?zitat={post_ids[1]}", both=True)
    author.check(f"/beitraege/{post_ids[2]}/bearbeiten")
    author.check(f"/moderation/beitraege/{post_ids[1]}/melden")
    author.check("/", both=True)
    for word in ("onerror", "javascript", "script", "alert"):
        author.check(f"/suche?q={word}", both=True)
    author.assert_inert()

    reader = Inspector(as_user, base_url, bernd)  # notifications name the threads
    reader.check("/", both=True).check("/benachrichtigungen", both=True)
    reader.assert_inert()
    moderator = Inspector(as_user, base_url, make_user(role="moderator"))
    moderator.check(f"/moderation/themen/{thread_id}", both=True)
    moderator.check(f"/moderation/beitraege/{post_ids[1]}", both=True)
    moderator.assert_inert()


def test_profile_fields(as_user, base_url, members):
    """Name, position and phone of many members at once: the directory shows them all."""
    anna, bernd, group = members
    people = [anna, bernd] + [make_user() for _ in range(10)]  # one directory page shows all
    inspectors = [Inspector(as_user, base_url, person) for person in people]
    names, positions = chunks(VECTORS, 120), chunks(VECTORS, 200)
    phones, bios = chunks(VECTORS, 60), chunks(VECTORS, 2000, "\n")
    rounds = -(-max(len(names), len(phones)) // len(people))
    for r in range(rounds):
        for i, person in enumerate(inspectors):
            n = r * len(people) + i
            fields = {"display_name": names[n % len(names)], "organisation_id": "0",
                      "position": positions[n % len(positions)], "phone": phones[n % len(phones)],
                      "bio": bios[n % len(bios)], "show_email": "y", "locale": "de"}
            person.post("/profil", fields)
            if n < len(bios):  # the profile page shows the bio; the directory all the rest
                # Names are stored in compatibility form (NFKC): "＜" reads as "<".
                name = unicodedata.normalize("NFKC", fields["display_name"])
                person.check(f"/mitglieder/{person.user.id}", shows=[name,
                             fields["position"], fields["phone"]])
        inspectors[0].check("/mitglieder", both=True)  # names, positions, phones of all
        if r % 4 == 0:
            inspectors[0].check(f"/arbeitskreise/{group.slug}/mitglieder")
            inspectors[1].check("/profil")
    assert sum(person.visited for person in inspectors) >= 2 * rounds + len(bios)
    for person in inspectors:
        person.assert_inert()


def test_document_names_descriptions_and_tags(as_user, base_url, members):
    anna, _bernd, group = members
    me = Inspector(as_user, base_url, anna)
    titles = chunks(VECTORS, 200)
    descriptions = chunks(VECTORS, 5000, "\n")
    short = [v for v in VECTORS if len(v) <= 40 and not set(",;\n") & set(v)]
    upload = f"/arbeitskreise/{group.slug}/dokumente/hochladen"
    for n, title in enumerate(titles):
        response = me.post(upload, multipart={
            "file": {"name": f"{short[n % len(short)]}.txt", "mimeType": "text/plain",
                     "buffer": f"Sozialbericht Teil {n}\n".encode()},
            "title": title, "description": descriptions[n % len(descriptions)],
            "category": "bericht", "tags": ", ".join(short[n * 10 % len(short):][:10])})
        me.check(response.headers["location"], shows=[title])
    for page in (1, 2):
        me.check(f"/arbeitskreise/{group.slug}/dokumente?page={page}", both=True)
    me.check(f"{response.headers['location']}/bearbeiten", both=True)
    me.check("/dokumente/", both=True)
    me.assert_inert()


def test_announcement_fields(as_user, base_url, members):
    anna, _bernd, _group = members
    editor = Inspector(as_user, base_url, make_user(role="editor", display_name="Redaktion"))
    titles, teasers = chunks(VECTORS, 200), chunks(VECTORS, 1000, "\n\n")
    locations = alts = chunks(VECTORS, 300)
    image = png_bytes()
    urls = [v for v in VECTORS if v.startswith(("http://", "https://")) and " " not in v]
    day = (date.today() + timedelta(days=14)).isoformat()
    created = []
    for n, title in enumerate(titles):
        fields = {"title": title, "category": "news", "teaser": teasers[n % len(teasers)],
                  "body": "\n\n".join(VECTORS[n::len(titles)]), "audience": "all",
                  "publication": "now", "version": "",
                  "image": {"name": "bild.png", "mimeType": "image/png", "buffer": image},
                  "image_alt": alts[n % len(alts)]}
        if n % 2:
            fields.update(category="event", starts_on=day, starts_time="10:00", ends_time="12:00",
                          location=locations[n % len(locations)],
                          registration_url=urls[n % len(urls)],
                          online_url=urls[-1 - n % len(urls)])
        response = editor.post("/neuigkeiten/neu", multipart=fields)
        created.append(response.headers["location"])
        editor.check(created[-1], shows=[title])
    assert len(created) == len(titles)
    refused = [v for v in VECTORS if re.match(r"\s*(javascript|data|vbscript|//)", v, re.I)]
    for n in range(0, len(refused), 3):
        values = refused[n:n + 3] + refused[:3]
        editor.submit_in_browser("/neuigkeiten/neu", {
            "#title": values[0], "#teaser": values[1], "#location": values[2],
            "#registration_url": values[0], "#online_url": values[1], "#starts_on": day,
        }, "Speichern")
    editor.check("/neuigkeiten/redaktion", both=True).check(f"{created[0]}/bearbeiten", both=True)
    editor.assert_inert()

    reader = Inspector(as_user, base_url, anna)
    for page in (1, 2, 3):
        reader.check(f"/neuigkeiten?page={page}", both=True)
    reader.check("/termine", both=True).check("/", both=True).check(created[1], both=True)
    reader.assert_inert()


def test_search_queries(as_user, base_url, members):
    anna, _bernd, _group = members
    me = Inspector(as_user, base_url, anna)
    for query in chunks(VECTORS, 500):
        me.check(f"/suche?q={quote(query)}", both=True)
    for vector in VECTORS[::7]:
        me.check(f"/suche?q={quote(vector)}&von={quote(vector)}&art={quote(vector)}"
                 f"&sortierung={quote(vector)}&arbeitskreis={quote(vector)}")
    me.assert_inert()


def test_group_and_moderation_fields(as_user, base_url, members):
    """Group names and descriptions, membership request messages, report, lock and hide
    reasons: written by admins, members and moderators, shown to others."""
    anna, bernd, group = members
    admin = Inspector(as_user, base_url, make_user(role="admin"))
    names, descriptions = chunks(VECTORS, 160), chunks(VECTORS, 5000, "\n")
    for n, name in enumerate(names):
        admin.post("/arbeitskreise/neu", {
            "name": name, "description": descriptions[n % len(descriptions)],
            "visibility": "closed" if n == 0 else "open"})
    closed = db.session.scalar(select(WorkingGroup).where(WorkingGroup.name == names[0]))
    admin.check("/arbeitskreise/", shows=names[:3], both=True)
    admin.check(f"/arbeitskreise/{closed.slug}", shows=[names[0]], both=True)
    admin.check("/suche?q=Sozialplanung", both=True)  # every group in the filter
    admin.check("/dokumente/", both=True)
    admin.assert_inert()

    messages = chunks(VECTORS, 1000, "\n")
    for message in messages:
        asking = Inspector(as_user, base_url, make_user())
        asking.post(f"/arbeitskreise/{closed.slug}/anfragen", {"message": message})
    admin.check(f"/arbeitskreise/{closed.slug}/mitglieder", both=True)

    moderator = Inspector(as_user, base_url, make_user(role="moderator"))
    reporter = Inspector(as_user, base_url, anna)
    reasons = chunks(VECTORS, 500)
    for n, reason in enumerate(reasons):
        post = forum.start_thread(bernd, group, f"Thema {n}", f"Beitrag {n}")
        moderator.post(f"/moderation/themen/{post.thread_id}/schliessen", {
            "an": "1", "reason": reason, "expected_group_id": str(group.id)})
        reporter.post(f"/moderation/beitraege/{post.id}/melden", {"reason": reason})
        if n % 3 == 0:
            moderator.post(f"/moderation/beitraege/{post.id}", {"reason": reason})
        moderator.check(f"/themen/{post.thread_id}", shows=[reason])
    moderator.check("/moderation/", both=True).check("/moderation/protokoll", both=True)
    author = Inspector(as_user, base_url, bernd)  # sees why the post was hidden
    author.check(f"/themen/{post.thread_id}", both=True).check("/benachrichtigungen")
    for inspector in (admin, moderator, author):
        inspector.assert_inert()
