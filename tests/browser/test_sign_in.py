"""Sign in and out in a real browser, by keyboard, with zero axe violations on the way."""
from ..factories import make_user
from .helpers import axe_violations, expect


def test_sign_in_and_out_by_keyboard(page, base_url, screenshot, js_dialogs):
    user = make_user(display_name="Anja Hoffmann", email="anja@example.org")
    page.goto(base_url + "/anmelden")
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort", exact=True).fill("Geheimes-Passwort-1")
    page.get_by_label("Passwort", exact=True).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guten Tag, Anja Hoffmann")
    assert axe_violations(page) == []
    screenshot("dashboard")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("status").first).to_contain_text("abgemeldet")
    assert js_dialogs == []


def test_wrong_password_shows_german_alert(page, base_url):
    user = make_user()
    page.goto(base_url + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort", exact=True).fill("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort ist nicht korrekt")
    assert axe_violations(page) == []
