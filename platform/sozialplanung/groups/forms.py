"""Forms for working groups and their memberships."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..auth.forms import REQUIRED, max_length


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), max_length(160)],
                       description=_l("Zum Beispiel „Arbeitskreis Sozialplanung“."))
    description = TextAreaField(_l("Beschreibung"), validators=[max_length(5000)])
    visibility = RadioField(_l("Sichtbarkeit"), default="open", choices=[
        ("open", _l("Offen: alle Mitglieder der Plattform können lesen und beitreten")),
        ("closed", _l("Geschlossen: nur Mitglieder des Arbeitskreises lesen; Beitritt auf "
                      "Einladung oder Anfrage"))])


class MembershipRequestForm(FlaskForm):
    message = TextAreaField(_l("Nachricht an die Moderation (optional)"),
                            validators=[Optional(), max_length(1000)], render_kw={"rows": 3})


class InviteMemberForm(FlaskForm):
    # A name as the directory shows it: moderators seldom know a colleague's address, and
    # addresses are hidden in the directory unless a member shows theirs.
    member = StringField(_l("Name oder E-Mail-Adresse des Mitglieds"),
                         validators=[DataRequired(REQUIRED), max_length(254)],
                         description=_l("Den Namen wie im Mitgliederverzeichnis oder die "
                                        "E-Mail-Adresse; Vorschläge erscheinen beim Tippen."),
                         render_kw={"list": "invite-candidates", "autocomplete": "off"})
