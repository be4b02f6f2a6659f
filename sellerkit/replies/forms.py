"""Saved-reply forms: a reply with one body field per language, and the import of an export file."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FileField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from sellerkit.forms import BaseForm
from sellerkit.i18n import locale_display_name
from sellerkit.replies.domain import MAX_BODY, MAX_TITLE

TOO_LONG = _l("This text is too long.")
#: The languages a reply form always offers; the shop's default and languages already written are added.
OFFERED_LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")


class SavedReplyForm(BaseForm):
    title = StringField(_l("Title"), validators=[Length(max=MAX_TITLE)])
    shortcut = StringField(_l("Shortcut"), validators=[Optional(), Length(max=40)],
                           description=_l("Type /shortcut in the reply box to insert this reply."))
    folder = StringField(_l("Folder"), validators=[Optional(), Length(max=60)])
    personal = BooleanField(_l("Only for me"), description=_l("Personal replies are not shown to the rest of the team."))


def reply_form(languages, **kwargs):
    """A reply form with one body field per language, labelled in the viewer's language."""
    class Form(SavedReplyForm):
        pass

    for language in languages:
        setattr(Form, f"body_{language}", TextAreaField(
            locale_display_name(language), validators=[Optional(), Length(max=MAX_BODY, message=TOO_LONG)]))
    form = Form(**kwargs)
    form.body_fields = [(language, form[f"body_{language}"]) for language in languages]
    return form


class ImportForm(BaseForm):
    file = FileField(_l("Export file (JSON)"))
