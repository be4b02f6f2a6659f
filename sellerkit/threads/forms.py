"""Conversation forms: the composer, notes, a message pasted by hand, thread settings, a new conversation."""
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.threads.domain import MAX_BODY, MAX_SUBJECT

REQUIRED = _l("This field is required.")
TOO_LONG = _l("This text is too long.")


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Reply to the buyer"), validators=[DataRequired(REQUIRED),
                                                                 Length(max=MAX_BODY, message=TOO_LONG)])
    #: Ids of the saved replies inserted into this message, so their use can be counted when it is sent.
    saved_reply_ids = HiddenField()
    #: Ids of the saved replies suggested above the composer: the ones not used count as passed over.
    suggested_reply_ids = HiddenField()


class NoteForm(BaseForm):
    body = TextAreaField(_l("Internal note"),
                         validators=[DataRequired(REQUIRED), Length(max=MAX_BODY, message=TOO_LONG)],
                         description=_l("Only your team sees notes; they are never sent to the buyer."))


class PastedMessageForm(BaseForm):
    body = TextAreaField(_l("The buyer's message"), validators=[DataRequired(REQUIRED),
                                                                Length(max=MAX_BODY, message=TOO_LONG)],
                         description=_l("Paste a message the buyer sent on the platform."))
    received_at = DateTimeLocalField(_l("Sent at"), validators=[Optional()], format="%Y-%m-%dT%H:%M",
                                     description=_l("In the shop's timezone; leave empty for now."))


class ThreadSettingsForm(BaseForm):
    # Translators: the heading of a status: of a conversation, a ticket, a follow-up, a campaign or a rule.
    status = SelectField(_l("Status"))
    is_dispute = SelectField(_l("Dispute"), choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))])
    assignee_id = SelectField(_l("Assigned to"))
    labels = StringField(_l("Labels"), validators=[Length(max=400)],
                         description=_l("Separate labels with commas, for example: shipping, urgent."))
    language = SelectField(_l("Buyer's language"))


class NewThreadForm(BaseForm):
    buyer_name = StringField(_l("Buyer's name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    buyer_id = StringField(_l("Buyer's id on the platform"), validators=[Optional(), Length(max=200)])
    order_reference = StringField(_l("Order number"), validators=[Optional(), Length(max=200)])
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=MAX_SUBJECT, message=TOO_LONG)])
    body = TextAreaField(_l("The buyer's message"), validators=[DataRequired(REQUIRED),
                                                                Length(max=MAX_BODY, message=TOO_LONG)])
    language = SelectField(_l("Buyer's language"))
