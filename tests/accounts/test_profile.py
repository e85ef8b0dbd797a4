"""Own profile editing and viewing other members' profiles."""
import pytest

from sozialplanung.extensions import db

from ..auth.support import new_client, page, reload
from ..conftest import login
from ..factories import make_user, organisation


@pytest.fixture
def member(client):
    user = make_user(display_name="Paula Profil")
    login(client, user)
    client.get("/")  # shows the welcome message
    return user


def profile_form(**overrides):
    data = {"display_name": "Paula Profil", "organisation_id": "0", "position": "",
            "phone": "", "bio": "", "show_email": "y", "locale": "de"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def save(client, **overrides):
    return client.post("/profil", data=profile_form(**overrides))


# --- editing ----------------------------------------------------------------------------

def test_edit_page_is_prefilled(client, member):
    member.position = "Altenhilfeplanung"
    member.organisation = organisation("Stadt Jena")
    db.session.commit()
    html = page(client.get("/profil"))
    assert "Ihr Profil" in html
    assert 'value="Paula Profil"' in html and 'value="Altenhilfeplanung"' in html
    assert f'<option selected value="{organisation("Stadt Jena").id}">Stadt Jena' in html


def test_saving_profile_changes_own_row(client, member):
    jena = organisation("Stadt Jena")
    response = save(client, display_name="  Paula Neu ", organisation_id=str(jena.id),
                    position="Sozialplanung", phone="03641 123456",
                    bio="Themen: Pflege\nund Teilhabe", show_email=None)
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    assert "Ihr Profil wurde gespeichert." in page(client.get("/profil"))
    user = reload(member)
    assert user.display_name == "Paula Neu"
    assert user.organisation_id == jena.id
    assert (user.position, user.phone) == ("Sozialplanung", "03641 123456")
    assert user.bio == "Themen: Pflege\nund Teilhabe"
    assert user.show_email is False


@pytest.mark.parametrize("name", ["Katrin Vogel", "  katrin VOGEL ", "Katrin Vo\u00adgel",
                                  "Ｋatrin Vogel", "Katrin\U000e0041 Vogel"])
def test_another_members_name_is_refused(client, member, name):
    make_user(display_name="Katrin Vogel", role="admin")
    response = save(client, display_name=name)
    assert response.status_code == 200  # the form again, with the message at the field
    assert "Dieser Name wird bereits von einem anderen Mitglied verwendet." in page(response)
    assert reload(member).display_name == "Paula Profil"


@pytest.mark.parametrize("name", ["K\u0430trin Vogel",     # Cyrillic а
                                  "Katrin V\u03bfgel",     # Greek ο
                                  "\u041aatrin Vogel"])    # Cyrillic К
def test_a_name_mixing_look_alike_scripts_is_refused(client, member, name):
    make_user(display_name="Katrin Vogel", role="admin")
    response = save(client, display_name=name)
    assert response.status_code == 200
    assert ("Bitte schreiben Sie den Namen in einer Schrift: lateinische Buchstaben nicht "
            "gemischt mit kyrillischen oder griechischen.") in page(response)
    assert reload(member).display_name == "Paula Profil"


@pytest.mark.parametrize("taken, look_alike", [
    ("Ossi Pace", "\u041e\u0455\u0455\u0456 \u0420\u0430\u0441\u0435"),  # Cyrillic
    ("OKAY TEXMAN", "\u039f\u039a\u0391\u03a5 \u03a4\u0395\u03a7\u039c\u0391\u039d"),  # Greek
])
def test_a_name_written_in_look_alike_letters_of_one_other_script_is_taken(client, member,
                                                                          taken, look_alike):
    make_user(display_name=taken)
    response = save(client, display_name=look_alike)
    assert response.status_code == 200
    assert "Dieser Name wird bereits von einem anderen Mitglied verwendet." in page(response)
    assert reload(member).display_name == "Paula Profil"


@pytest.mark.parametrize("name", ["Ярослава Петрова", "Σοφία Παπαδοπούλου", "Jürgen Öztürk-Müller",
                                  "Chloé Li 李", "Dr. Łucja Żak (Stadt Gera)"])
def test_names_in_one_script_are_kept(client, member, name):
    assert save(client, display_name=name).status_code == 302
    assert reload(member).display_name == name


def test_own_name_and_names_of_deleted_accounts_may_be_kept_or_taken(client, member):
    make_user(display_name="Frühere Kollegin", status="deleted")
    assert save(client, display_name="Paula Profil").status_code == 302
    assert save(client, display_name="Frühere Kollegin").status_code == 302


def test_profile_form_edits_only_the_own_account(client, member):
    other = make_user(display_name="Otto Anders")
    response = client.post(f"/profil?user_id={other.id}",
                           data={**profile_form(display_name="Gekapert"), "id": str(other.id),
                                 "user_id": str(other.id), "email": "x@example.org"})
    assert response.status_code == 302
    assert reload(other).display_name == "Otto Anders"
    assert reload(member).display_name == "Gekapert"
    assert reload(member).email == member.email


def test_organisation_can_be_cleared(client, member):
    save(client, organisation_id=str(organisation("Stadt Jena").id))
    save(client, organisation_id="0")
    assert reload(member).organisation_id is None


@pytest.mark.parametrize("organisation_id", ["999999", "abc", "-1"])
def test_unknown_organisation_is_refused_in_german(client, member, organisation_id):
    response = save(client, organisation_id=organisation_id, position="Geändert")
    html = page(response)
    assert response.status_code == 200
    assert "Unbekannte Organisation." in html
    assert "Bitte korrigieren Sie die markierten Angaben." in html
    assert reload(member).position == ""


@pytest.mark.parametrize("field, length, message", [
    ("display_name", 121, "höchstens 120 Zeichen"),
    ("position", 201, "höchstens 200 Zeichen"),
    ("phone", 61, "höchstens 60 Zeichen"),
    ("bio", 2001, "höchstens 2000 Zeichen"),
])
def test_overlong_fields_are_refused_in_german(client, member, field, length, message):
    response = save(client, **{field: "x" * length})
    html = page(response)
    assert response.status_code == 200
    assert message in html
    assert reload(member).display_name == "Paula Profil"
    assert getattr(reload(member), field) != "x" * length


def test_longest_allowed_values_are_kept(client, member):
    save(client, display_name="n" * 120, position="p" * 200, phone="1" * 60, bio="b" * 2000)
    user = reload(member)
    assert (len(user.display_name), len(user.position), len(user.phone), len(user.bio)) == \
        (120, 200, 60, 2000)


def test_empty_name_is_refused(client, member):
    for name in ("", "   "):
        html = page(save(client, display_name=name))
        assert "Bitte füllen Sie dieses Feld aus." in html
    assert reload(member).display_name == "Paula Profil"


def test_unknown_locale_is_refused(client, member):
    response = save(client, locale="fr")
    assert response.status_code == 200
    assert "Bitte korrigieren Sie die markierten Angaben." in page(response)
    assert reload(member).locale == "de"


def test_english_locale_switches_the_interface(client, member):
    save(client, locale="en")
    assert reload(member).locale == "en"
    assert '<html lang="en">' in page(client.get("/profil"))


# --- viewing ----------------------------------------------------------------------------

def test_member_sees_other_members_profile(client, member):
    other = make_user(display_name="Otto Anders", position="Jugendhilfeplanung",
                      organisation=organisation("Stadt Jena"), bio="Ich plane <b>Kitas</b>.",
                      show_email=False)
    response = client.get(f"/mitglieder/{other.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Otto Anders" in html and "Jugendhilfeplanung" in html and "Stadt Jena" in html
    assert "Ich plane &lt;b&gt;Kitas&lt;/b&gt;." in html  # shown as text, never as markup
    assert other.email not in html  # hidden by the member's choice
    assert "Profil bearbeiten" not in html


def test_own_profile_shows_email_and_edit_link(client, member):
    member.show_email = False
    db.session.commit()
    html = page(client.get(f"/mitglieder/{member.id}"))
    assert member.email in html and "Profil bearbeiten" in html


def test_nonexistent_profile_is_404(client, member):
    response = client.get("/mitglieder/999999")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in page(response)


@pytest.mark.parametrize("status", ["invited", "pending", "suspended", "deleted"])
def test_inactive_profiles_are_hidden_from_members(client, member, status):
    other = make_user(status=status, display_name="Verborgene Person")
    response = client.get(f"/mitglieder/{other.id}")
    assert response.status_code == 404
    assert "Verborgene Person" not in page(response)


def test_a_suspended_authors_name_is_shown_without_a_link_to_the_hidden_profile(client, member):
    from sozialplanung.forum.services import start_thread

    from ..factories import make_group

    author = make_user(display_name="Frank Richter")
    group = make_group(name="Arbeitskreis Offen", members=[author, member])
    opening = start_thread(author, group, "Thema", "Text")
    author.status = "suspended"
    db.session.commit()
    html = page(client.get(f"/themen/{opening.thread_id}"))
    assert "Frank Richter" in html and f'href="/mitglieder/{author.id}"' not in html
    members = page(client.get(f"/arbeitskreise/{group.slug}/mitglieder"))
    assert "Frank Richter" in members and f'href="/mitglieder/{author.id}"' not in members


@pytest.mark.parametrize("status", ["invited", "pending"])
def test_admin_sees_inactive_profiles(app, status):
    admin = make_user(role="admin")
    other = make_user(status=status, display_name="Neue Person")
    client = new_client(app)
    login(client, admin)
    response = client.get(f"/mitglieder/{other.id}")
    assert response.status_code == 200 and "Neue Person" in page(response)


def test_profiles_need_sign_in(app):
    other = make_user()
    client = new_client(app)
    response = client.get(f"/mitglieder/{other.id}")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    response = client.post("/profil", data=profile_form(display_name="Anonym"))
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_invisible_characters_cannot_make_a_name_look_like_another(client, member):
    make_user(display_name="Katrin Vogel")
    response = save(client, display_name="Katrin\u200b Vogel\u202e")
    assert "Dieser Name wird bereits von einem anderen Mitglied verwendet." in page(response)
