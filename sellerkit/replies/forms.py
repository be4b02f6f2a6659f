"""Saved-reply forms: a reply with one body field per language, and the import of an export file."""
from wtforms import BooleanField, FileField, StringField
from wtforms.validators import Length, Optional

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.replies.domain import MAX_TITLE


class SavedReplyForm(BaseForm):
    # Translators: the title of a saved reply or a ticket (not a person's title).
    title = StringField(_l("Title"), validators=[Length(max=MAX_TITLE)])
    shortcut = StringField(_l("Shortcut"), validators=[Optional(), Length(max=40)],
                           description=_l("Type /shortcut in the reply box to insert this reply."))
    folder = StringField(_l("Folder"), validators=[Optional(), Length(max=60)])
    personal = BooleanField(_l("Only for me"),
                            description=_l("Personal replies are not shown to the rest of the team."))


class ImportForm(BaseForm):
    file = FileField(_l("Export file (JSON)"))
