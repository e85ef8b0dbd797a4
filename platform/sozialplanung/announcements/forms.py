"""The editors' announcement form: input shape only (the rules are in services)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, RadioField,
                     SelectField, SelectMultipleField, StringField, TextAreaField, TimeField,
                     URLField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from ..auth.forms import REQUIRED, max_length
from .models import CATEGORY_LABELS

MARKDOWN_HINT = _l("Formatierung mit Markdown: **fett**, *kursiv*, - Aufzählung, "
                   "[Linktext](https://…).")
DATE_INVALID = _l("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
TIME_INVALID = _l("Bitte geben Sie eine gültige Uhrzeit an (SS:MM).")
DATETIME_INVALID = _l("Bitte geben Sie Datum und Uhrzeit an (TT.MM.JJJJ SS:MM).")


class _GermanDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_INVALID) from None


class _GermanTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(TIME_INVALID) from None


class _GermanDateTimeField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATETIME_INVALID) from None


def date_field(label, description=None):
    # Browsers send ISO dates; typed German dates are accepted too.
    return _GermanDateField(label, format=["%Y-%m-%d", "%d.%m.%Y"], validators=[Optional()],
                            description=description)


def time_field(label):
    return _GermanTimeField(label, format=["%H:%M", "%H:%M:%S", "%H.%M"], validators=[Optional()])


AUDIENCE_CHOICES = [
    SelectChoice("all", _l("Alle Mitglieder")),
    SelectChoice("groups", _l("Nur die Mitglieder ausgewählter Arbeitskreise")),
]
PUBLICATION_CHOICES = [
    SelectChoice("draft", _l("Als Entwurf speichern (nicht sichtbar)")),
    SelectChoice("now", _l("Sofort veröffentlichen")),
    SelectChoice("scheduled", _l("Zu einem späteren Zeitpunkt veröffentlichen")),
]


def category_choices():
    return [SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()]


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), max_length(200)])
    category = SelectField(_l("Kategorie"), choices=category_choices, validate_choice=False)
    teaser = TextAreaField(
        _l("Anreißer"), validators=[DataRequired(REQUIRED), max_length(1000)],
        description=_l("Zwei, drei Sätze für Listen, Startseite und Feeds; Markdown möglich."),
        render_kw={"rows": 3})
    body = TextAreaField(_l("Text (optional)"), validators=[max_length(50_000)],
                         description=MARKDOWN_HINT, render_kw={"rows": 14})

    starts_on = date_field(_l("Beginn: Datum"))
    starts_time = time_field(_l("Beginn: Uhrzeit"))
    ends_on = date_field(_l("Ende: Datum"),
                         description=_l("Leer lassen, wenn die Veranstaltung am selben Tag endet."))
    ends_time = time_field(_l("Ende: Uhrzeit"))
    is_all_day = BooleanField(_l("Ganztägig (ohne Uhrzeiten)"))
    location = StringField(_l("Ort"), validators=[max_length(300)],
                           description=_l("z. B. Erfurt, Landesverwaltungsamt, Raum 2.14"))
    online_url = URLField(_l("Online-Link"), validators=[max_length(500)],
                          description=_l("Adresse der Videokonferenz, falls es sie gibt."))
    registration_url = URLField(
        lazy_pgettext("event registration", "Link zur Anmeldung (optional)"),
        validators=[max_length(500)])

    audience = RadioField(_l("Für wen ist die Mitteilung bestimmt?"), default="all",
                          validate_choice=False, choices=AUDIENCE_CHOICES)
    group_ids = SelectMultipleField(_l("Arbeitskreise"), coerce=str, validate_choice=False)
    document_ids = SelectMultipleField(_l("Anhänge aus der Bibliothek des Instituts"), coerce=str,
                                       validate_choice=False)
    is_pinned = BooleanField(_l("Oben anheften"),
                             description=_l("Angeheftete Mitteilungen stehen in Listen zuerst."))
    publication = RadioField(_l("Veröffentlichung"), default="draft", validate_choice=False,
                             choices=PUBLICATION_CHOICES)
    publish_at = _GermanDateTimeField(
        _l("Zeitpunkt der Veröffentlichung"), validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M"],
        description=_l("Nur bei späterer Veröffentlichung; deutsche Zeit."))

    image = FileField(_l("Bild (optional)"),
                      description=_l("JPEG, PNG, GIF oder WebP, höchstens 15 MB; große Bilder "
                                     "werden verkleinert."),
                      render_kw={"accept": "image/jpeg,image/png,image/gif,image/webp"})
    image_alt = StringField(_l("Bildbeschreibung (Alternativtext)"), validators=[max_length(300)],
                            description=_l("Was ist auf dem Bild zu sehen? Nötig, sobald es ein "
                                           "Bild gibt."))
    remove_image = BooleanField(_l("Bild entfernen"))
    version = HiddenField()
