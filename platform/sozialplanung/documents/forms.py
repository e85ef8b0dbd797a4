"""Forms for documents: upload, new version, metadata, and the library filter."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..auth.forms import REQUIRED
from .filetypes import ACCEPT_ATTRIBUTE, ALLOWED_SUMMARY
from .models import CATEGORY_LABELS, Category

FILE_REQUIRED = _l("Bitte wählen Sie eine Datei aus.")
TAGS_HINT = _l("Mehrere Schlagwörter durch Kommas trennen, z. B. „Demografie, Pflege“.")


def category_choices():
    return [SelectChoice(c.value, CATEGORY_LABELS[c]) for c in Category]


def file_field(label=_l("Datei")):
    return FileField(label, validators=[FileRequired(FILE_REQUIRED)],
                     description=_l("Erlaubt sind %(types)s.", types=ALLOWED_SUMMARY),
                     render_kw={"accept": ACCEPT_ATTRIBUTE})


class _MetadataFields:
    description = TextAreaField(_l("Beschreibung"), validators=[Length(max=5000)],
                                render_kw={"rows": 4})
    category = SelectField(_l("Kategorie"), choices=category_choices(),
                           default=Category.SONSTIGES.value)
    tags = StringField(_l("Schlagwörter"), validators=[Length(max=500)], description=TAGS_HINT)


class UploadForm(_MetadataFields, FlaskForm):
    file = file_field()
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=200)],
                        description=_l("Leer lassen, um den Dateinamen zu verwenden."))


class VersionForm(FlaskForm):
    file = file_field(_l("Neue Datei"))
    change_note = StringField(_l("Was hat sich geändert?"), validators=[Length(max=500)],
                              description=_l("Kurze Notiz für die Versionsgeschichte, z. B. "
                                             "„Zahlen 2025 ergänzt“."))


class EditForm(_MetadataFields, FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200)])


class LibraryFilterForm(FlaskForm):
    """Read from the query string; a GET form needs no CSRF token."""

    class Meta:
        csrf = False

    kategorie = SelectField(_l("Kategorie"), choices=[], default="")
    schlagwort = SelectField(_l("Schlagwort"), choices=[], default="")
    sortierung = SelectField(_l("Sortieren nach"), default="datum", choices=[
        SelectChoice("datum", _l("Datum (neueste zuerst)")),
        SelectChoice("titel", _l("Titel (A–Z)")), SelectChoice("kategorie", _l("Kategorie"))])

    def set_choices(self, tags):
        self.kategorie.choices = [SelectChoice("", _l("Alle Kategorien")), *category_choices()]
        self.schlagwort.choices = [SelectChoice("", _l("Alle Schlagwörter")),
                                   *[SelectChoice(t, t) for t in tags]]
