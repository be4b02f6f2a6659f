"""The base form: messages from our own catalogs, and refusal of fields the form does not offer."""
from flask import request
from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, TextAreaField
from wtforms.validators import Length, Optional

from sellerkit.errors import NUL_REFUSED
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import locale_display_name
from sellerkit.textguard import has_nul

# WTForms' own messages that our forms can show; listed so that they are extracted into our catalogs.
N_ = str
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid choice."),
    N_("Not a valid time value."),
    N_("Not a valid integer value."),
    N_("Invalid input."),
)


class CatalogTranslations:
    """Routes WTForms' built-in messages through our catalogs (WTForms has no Bengali of its own).

    WTForms fills in %(max)d and the like itself, so the raw catalog lookups are used, not Flask-Babel's
    gettext, which would try to fill them first.
    """

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


def field_names(form):
    """Every input name a form accepts, nested lists and sub-forms included."""
    names = set()
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                names |= field_names(entry.form) if isinstance(entry, FormField) else {entry.name}
        elif isinstance(field, FormField):
            names |= field_names(field.form)
        else:
            names.add(field.name)
    return names


class FormMeta:
    """What every form shares, sub-forms (FormField) included: our catalogs' messages and which attributes fields
    are written with."""

    def get_translations(self, form):
        return CatalogTranslations()

    def render_field(self, field, render_kw):
        # Templates pass every optional attribute and None for those that do not apply; WTForms would
        # write them as "None" (aria-invalid="None" is an invalid state, and autofocus="None" still focuses).
        render_kw = {name: value for name, value in render_kw.items() if value is not None}
        if field.type == "CSRFTokenField":
            # Nothing refers to the hidden token by id, and a page with several forms would repeat id="csrf_token".
            render_kw.setdefault("id", False)
        return super().render_field(field, render_kw)


class BaseForm(FlaskForm):
    class Meta(FormMeta):
        pass

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if request and request.method == "POST":
            # PostgreSQL cannot store a NUL character, SQLite would keep it silently; nobody types one.
            for field in self:
                if has_nul(field.data):
                    field.errors = [*field.errors, NUL_REFUSED]
                    valid = False
            # The token is always allowed: base.html renders it even where a form has CSRF turned off.
            unexpected = set(request.form) - field_names(self) - {"csrf_token"}
            if unexpected:
                # Mass assignment guard: a request may only set what the form offers.
                self.form_errors.append(_l("The form contained fields it does not offer: %(names)s.",
                                           names=", ".join(sorted(unexpected))))
                return False
        return valid

    def apply_error(self, error):
        """Show a service's refusal next to the field it concerns, or above the form."""
        field = self[error.field] if error.field and error.field in self else None
        if field is not None:
            field.errors = list(field.errors) + [error.message]
        else:
            self.form_errors.append(error.message)



#: The languages a per-language text form always offers; the shop's default is added when it is another.
OFFERED_LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")


def form_languages(default_language, also=()):
    """The languages to offer: the six UI languages, the shop's default, and any already written."""
    languages = list(OFFERED_LANGUAGES)
    for language in (default_language, *also):
        if language not in languages:
            languages.append(language)
    return languages


def with_language_texts(form_class, languages, prefix, max_length, **kwargs):
    """An instance of `form_class` with one optional text area per language (named `<prefix>_<language>`),
    labelled with the language's name; `form.language_fields` lists (language, field)."""
    class Form(form_class):
        pass

    for language in languages:
        setattr(Form, f"{prefix}_{language}", TextAreaField(
            locale_display_name(language),
            validators=[Optional(), Length(max=max_length, message=_l("This text is too long."))]))
    form = Form(**kwargs)
    form.language_fields = [(language, form[f"{prefix}_{language}"]) for language in languages]
    return form
