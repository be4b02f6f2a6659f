"""Ticket forms: escalating, editing the draft, filing, support's replies, details, rating, and dispute rules."""
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, Regexp

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.tickets import domain
from sellerkit.tickets.labels import LIFECYCLE_LABELS


class EscalateForm(BaseForm):
    topic = SelectField(_l("Topic"), validators=[Optional()], validate_choice=False)


class DraftForm(BaseForm):
    topic = SelectField(_l("Category and topic"), validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=domain.MAX_TITLE)])
    description = TextAreaField(_l("Description"), validators=[Length(max=domain.MAX_TEXT)])
    files = SelectMultipleField(_l("Files for support"), coerce=int, validate_choice=False)


class FileForm(BaseForm):
    platform_ref = StringField(_l("The platform's ticket number"), validators=[Optional(), Length(max=100)],
                               description=_l("After you filed it on the platform, so you can find it there."))


class SupportReplyForm(BaseForm):
    # The ticket page shows this form beside DetailsForm: both post a "body", so the ids differ.
    body = TextAreaField(_l("Support's answer"), id="support-answer", validators=[Length(max=domain.MAX_TEXT)])
    status = SelectField(_l("New status"), choices=[SelectChoice(s, LIFECYCLE_LABELS[s])
                                                    for s in domain.SUPPORT_STATUSES], default="answered")


class DetailsForm(BaseForm):
    body = TextAreaField(_l("Your details"), id="details", validators=[Length(max=domain.MAX_TEXT)])


class RateForm(BaseForm):
    rating = RadioField(_l("Rating"), coerce=int, validate_choice=False,
                        choices=[SelectChoice(n, "★" * n) for n in range(5, 0, -1)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=domain.MAX_COMMENT)])


class KeywordForm(BaseForm):
    language = SelectField(_l("Buyer language"), validate_choice=False)
    keyword = StringField(_l("Keyword"), validators=[Length(max=80)])


class EscalationSettingsForm(BaseForm):
    breach_rule = BooleanField(_l("A missed reply deadline on an undelivered or complained-about order is a dispute"))
    escalate_on_breach = BooleanField(_l("Draft a ticket when a dispute misses its reply deadline"))
    escalate_after_days = IntegerField(_l("Draft a ticket when a dispute has waited this many days"),
                                       validators=[Optional(), NumberRange(min=1, max=365, message=_l(
                                           "Give a number of days from 1 to 365."))])
    support_email = EmailField(_l("The platform support's e-mail address"),
                               validators=[Optional(), Length(max=254),
                                           Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                  message=_l("Enter a valid e-mail address."))],
                               description=_l("When set, tickets are filed by e-mail and support's answers come back "
                                              "to the ticket."))
