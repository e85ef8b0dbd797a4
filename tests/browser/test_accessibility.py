"""WCAG 2.1 A/AA in a real browser: axe-core reports no violation on any page template (signed
out and in, filled and empty, forms with validation errors, admin pages), every focusable
element shows its focus, and form errors are announced and tied to their fields."""
import pytest

from .helpers import axe_violations, expect, focus_problems
from .site import AREAS, seed_world, walk
SCREENSHOTS = {"willkommen", "uebersicht", "arbeitskreis", "thema", "dokument", "neuigkeit",
               "termine", "suche-treffer", "moderation-thema", "verwaltung-mitglieder",
               "mitteilung-neu-fehler", "registrieren-fehler"}


@pytest.mark.parametrize("area", AREAS)
def test_every_page_template_meets_wcag_21_aa(area, as_user, base_url, screenshot_dir,
                                              page_sources):
    world = seed_world()
    problems, names = {}, []
    for seen in walk(as_user, base_url, world, only=lambda v: v.who in AREAS[area]):
        name, page = seen.visit.name, seen.page
        names.append(name)
        page_sources.html[name] = seen.html
        found = []
        if seen.status >= 500:
            found.append(f"HTTP {seen.status}")
        found += [f"axe {rule}: {text} {targets}" for rule, text, targets in axe_violations(page)]
        found += [f"Fokus unsichtbar: {html}" for html in focus_problems(page)]
        found += _form_error_problems(page)
        if found:
            problems[name] = found
        if name in SCREENSHOTS:
            page.screenshot(path=str(screenshot_dir / f"a11y-{name}.png"), full_page=True)
    assert names, "keine Seiten besucht"
    page_sources.areas.add(area)
    assert problems == {}, "\n".join(f"{n}: {p}" for n, ps in problems.items() for p in ps)


def _form_error_problems(page):
    """Every field marked invalid names its error through aria-describedby, and the error is
    announced (role=alert)."""
    return page.evaluate("""() => {
      const out = [];
      for (const el of document.querySelectorAll('[aria-invalid=true]')) {
        const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        const errors = ids.map((id) => document.getElementById(id)).filter((n) => n && n.matches('.error'));
        if (!errors.length) out.push('Fehler ohne aria-describedby: ' + (el.id || el.name));
        for (const n of errors) if (!n.closest('[role=alert]')) out.push('Fehler nicht angekündigt: ' + n.id);
      }
      return out;
    }""")


def test_form_errors_are_announced_and_linked(as_user, base_url):
    """A form sent with errors says so in an alert, marks each field invalid and ties the
    message to it, so a screen reader reads the error on entering the field."""
    page = as_user(None)
    page.goto(base_url + "/registrieren")
    page.get_by_role("button", name="Registrieren").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Bitte korrigieren Sie die markierten Angaben.")
    email = page.get_by_label("Dienstliche E-Mail-Adresse")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Bitte füllen Sie dieses Feld aus.")
    assert axe_violations(page) == []
