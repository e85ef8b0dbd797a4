"""What the browser tests share: signing in by cookie, axe, focus checks, CSP and dialog
watchers, and a driver that works a page either by mouse or by keyboard alone.

The only module of the browser tests that imports Playwright: without it (no `browser` extra
installed) every module that imports this one is skipped, except under REQUIRE_BROWSER=1."""
import os

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect
except ImportError as missing:
    if os.environ.get("REQUIRE_BROWSER"):
        raise
    pytest.skip(f"Browser-Tests übersprungen: {missing.name} fehlt (pip install -e .[browser])",
                allow_module_level=True)

__all__ = ["Driver", "Watch", "axe_violations", "expect", "focus_problems", "signed_in_context"]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()

# Recorded in every page of a watched context: CSP violations (the event the browser fires when
# the policy blocks something) reach Python through an exposed binding, so reports survive
# navigations.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolation && window.__cspViolation(
    [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, e.sample].join(' | '));
}, true);
"""


def axe_violations(page):
    """WCAG 2.0/2.1 A and AA violations on the page as (rule, help, [targets])."""
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:5])
            for v in results.response["violations"]]


# --- signing in without the form (the journeys use the form) -------------------------------

def session_cookie(app, base_url, user):
    """(cookie, CSRF token): a signed session as Flask-Login writes it after a sign-in, with
    the CSRF secret Flask-WTF keeps there, so the browser can send forms at once."""
    with app.test_request_context():
        g.pop("csrf_token", None)  # the tests' shared `g` would hand out the last token
        token = generate_csrf()
        data = {"_user_id": user.get_id(), "_fresh": True, "csrf_token": session["csrf_token"]}
        g.pop("csrf_token", None)
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    cookie = {"name": app.config["SESSION_COOKIE_NAME"], "value": value, "url": base_url,
              "httpOnly": True, "sameSite": "Lax"}
    return cookie, token


def signed_in_context(new_context, app, base_url, user, **kwargs):
    """A browser context signed in as `user` (None: signed out); its CSRF token is in
    `context.csrf_token`."""
    context = new_context(**kwargs)
    context.csrf_token = None
    if user is not None:
        cookie, context.csrf_token = session_cookie(app, base_url, user)
        context.add_cookies([cookie])
    return context


class Watch:
    """Dialogs, CSP violations and page errors seen in one browser context."""

    def __init__(self, context):
        self.dialogs, self.csp, self.console, self.page_errors = [], [], [], []
        context.expose_binding("__cspViolation", lambda source, text: self.csp.append(text))
        context.add_init_script(_CSP_LISTENER)
        context.on("page", self._attach)
        for page in context.pages:
            self._attach(page)

    def _attach(self, page):
        page.on("dialog", lambda d: (self.dialogs.append((d.type, d.message)), d.dismiss()))
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.console.append(message.text)

    @property
    def csp_console(self):
        return [t for t in self.console if "Content Security Policy" in t]

    def assert_quiet(self):
        assert self.dialogs == [], f"Ein Skript hat einen Dialog geöffnet: {self.dialogs}"
        assert self.csp == [], f"CSP-Verstöße: {self.csp}"
        assert self.csp_console == [], f"CSP-Meldungen in der Konsole: {self.csp_console}"
        assert self.page_errors == [], f"JavaScript-Fehler: {self.page_errors}"


# --- focus -----------------------------------------------------------------------------------

# Every focusable element, focused in turn after a keyboard interaction (so :focus-visible
# applies), must show an outline or a box shadow that differs from its unfocused look.
FOCUS_AUDIT_JS = """
() => {
  const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), '
            + 'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const problems = [];
  const look = (el) => { const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor].join('/'); };
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (el.closest('[hidden]') || (r.width === 0 && r.height === 0 && !el.classList.contains('skip-link'))) continue;
    const before = look(el);
    el.focus();
    if (document.activeElement !== el) { continue; }
    const s = getComputedStyle(el);
    const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    if (!el.matches(':focus-visible') || (!outlined && s.boxShadow === 'none' && look(el) === before)) {
      problems.push(el.outerHTML.slice(0, 120));
    }
  }
  document.activeElement && document.activeElement.blur();
  return problems;
}
"""


def focus_problems(page):
    page.keyboard.press("Shift")  # keyboard modality: programmatic focus counts as :focus-visible
    return page.evaluate(FOCUS_AUDIT_JS)


_ACTIVE_JS = """
(target) => {
  const el = document.activeElement;
  if (!el || el === document.body) return {hit: false, desc: 'body', visible: true};
  const s = getComputedStyle(el);
  // tabIndex -1: a focus target, not a tab stop (<main>); not :focus: a part inside the
  // browser's own control has it (the calendar button of a date field), drawn by the browser.
  const visible = el.tabIndex < 0 || !el.matches(':focus') || el.matches(':focus-visible') && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                  || s.boxShadow !== 'none');
  const desc = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
               (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 40);
  return {hit: el === target, desc, visible,
          style: [el.matches(':focus'), el.matches(':focus-visible'), s.outlineStyle, s.outlineWidth, s.boxShadow].join(' ')};
}
"""


class Driver:
    """Works a page like a person: `mouse` clicks and fills, `keyboard` uses Tab, Shift+Tab,
    Enter, Space, arrow keys and typing only, and checks at every stop that focus is visible."""

    MAX_TABS = 250

    def __init__(self, page, mode):
        assert mode in ("maus", "tastatur")
        self.page, self.mode = page, mode
        self._files = None
        # Listening from the start: the browser then hands every file dialog to the test.
        page.on("filechooser", self._on_file_chooser)

    def _on_file_chooser(self, chooser):
        if self._files is not None:
            chooser.set_files(self._files)
            self._files = None

    @property
    def keyboard(self):
        return self.mode == "tastatur"

    def focus(self, locator):
        """Tab (forwards) until `locator` has the focus; every stop on the way must show focus."""
        locator.wait_for()
        handle = locator.element_handle()
        seen = []
        for _ in range(self.MAX_TABS):
            state = self.page.evaluate(_ACTIVE_JS, handle)
            if state["hit"]:
                assert state["visible"], f"Fokus nicht sichtbar auf {state['desc']}"
                return
            if state["desc"] != "body":
                assert state["visible"], \
                    f"Fokus nicht sichtbar auf {state['desc']} ({state['style']})"
                seen.append(state["desc"])
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Per Tab nicht erreichbar: {locator}; Stationen: {seen[-30:]}")

    def fill(self, locator, text):
        if not self.keyboard:
            locator.fill(text)
            return
        self.focus(locator)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        if "\n" in text or len(text) > 80:
            self.page.keyboard.insert_text(text)  # like a paste, keeps long texts fast
        else:
            self.page.keyboard.type(text)
        expect(locator).to_have_value(text)

    def activate(self, locator, navigates=True):
        """Follow a link or press a button (Enter on links, Space on buttons) and, unless told
        otherwise (downloads, scripts), wait until the next page has loaded."""
        if self.keyboard:
            self.focus(locator)
            key = "Enter" if locator.evaluate("el => el.tagName.toLowerCase()") == "a" else "Space"
            press = lambda: self.page.keyboard.press(key)  # noqa: E731
        else:
            press = locator.click
        if not navigates:
            press()
            return
        with self.page.expect_navigation():
            press()

    def check(self, locator, on=True):
        if not self.keyboard:
            locator.set_checked(on)
            return
        self.focus(locator)
        if locator.is_checked() != on:
            self.page.keyboard.press("Space")
        assert locator.is_checked() == on

    def choose_radio(self, locator):
        if not self.keyboard:
            locator.check()
            return
        # Tab reaches the checked radio of a group; arrow keys move (and check) within it.
        name = locator.get_attribute("name")
        group = self.page.locator(f'input[type=radio][name="{name}"]')
        checked = self.page.locator(f'input[type=radio][name="{name}"]:checked')
        self.focus(checked if checked.count() else group.first)
        for _ in range(group.count()):
            if locator.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        assert locator.is_checked(), f"Per Pfeiltasten nicht wählbar: {locator}"

    def select(self, locator, label):
        if not self.keyboard:
            locator.select_option(label=label)
            return
        self.focus(locator)
        self.page.keyboard.press("Home")
        count = locator.locator("option").count()
        for _ in range(count):
            if locator.evaluate("el => el.options[el.selectedIndex].text.trim()") == label:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"Option {label!r} per Pfeiltasten nicht erreicht")

    def choose_files(self, locator, files):
        if not self.keyboard:
            locator.set_input_files(files)
            return
        self.focus(locator)
        self._files = files
        self.page.keyboard.press("Space")  # opens the file dialog
        self.page.wait_for_function("el => el.files.length > 0", arg=locator.element_handle())

    def skip_to_content(self):
        """Start of every keyboard visit: the skip link, then Enter moves focus into <main>."""
        if not self.keyboard:
            return
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        self.page.keyboard.press("Tab")
        expect(self.page.locator(".skip-link")).to_be_focused()
        self.page.keyboard.press("Enter")
        expect(self.page.locator("#inhalt")).to_be_focused()
