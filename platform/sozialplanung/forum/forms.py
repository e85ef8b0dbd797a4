"""Forms for threads and posts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired

from ..auth.forms import REQUIRED, max_length

BODY_HINT = _l("Formatierung mit Markdown: **fett**, *kursiv*, > Zitat, - Aufzählung, "
               "[Linktext](https://…). Erwähnen Sie Mitglieder mit @[Vorname Nachname].")


def body_field(label=_l("Ihr Beitrag")):
    return TextAreaField(label, validators=[DataRequired(REQUIRED), max_length(50_000)],
                         description=BODY_HINT, render_kw={"rows": 10})


class ThreadForm(FlaskForm):
    title = StringField(_l("Titel des Themas"),
                        validators=[DataRequired(REQUIRED), max_length(200)])
    body = body_field()
    submission_key = HiddenField()


class ReplyForm(FlaskForm):
    body = body_field(_l("Ihre Antwort"))
    submission_key = HiddenField()


class EditPostForm(FlaskForm):
    title = StringField(_l("Titel des Themas"), validators=[max_length(200)])
    body = body_field(_l("Text"))
    version = HiddenField()
