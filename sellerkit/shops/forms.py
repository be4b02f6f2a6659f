"""Shop forms: settings with weekly business hours, and adding a member."""
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from sellerkit.forms import BaseForm, FormMeta
from sellerkit.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")


class DayHoursForm(Form):
    """One weekday's hours; a sub-form, so it carries no CSRF token of its own."""

    class Meta(FormMeta):
        pass

    is_open = BooleanField(_l("Open"))
    opens_at = TimeField(_l("From"), validators=[Optional()])
    closes_at = TimeField(_l("Until"), validators=[Optional()])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.is_open.data:
            if not self.opens_at.data or not self.closes_at.data:
                self.closes_at.errors.append(_l("Give both times for an open day."))
                return False
            if self.closes_at.data <= self.opens_at.data:
                self.closes_at.errors.append(_l("Business hours must end after they start."))
                return False
        return valid


class ShopForm(BaseForm):
    name = StringField(_l("Shop name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    platform = SelectField(_l("Platform"), description=_l("Where the shop sells; it decides the response rules."))
    default_language = SelectField(_l("Default buyer language"),
                                   description=_l("Used for buyer-facing text when a buyer's language is unknown."))
    timezone = SelectField(_l("Timezone"), description=_l("Business hours and vacations follow this timezone."))


class ShopSettingsForm(ShopForm):
    hours = FieldList(FormField(DayHoursForm), min_entries=7, max_entries=7)
    reply_transport = SelectField(_l("How replies reach buyers"))
    reply_from_email = EmailField(_l("Sender address for e-mail replies"), validators=[Optional(), Length(max=254)],
                                  description=_l("Leave empty to use the server's address."))
    webhook_url = StringField(_l("Webhook address"), validators=[Optional(), Length(max=500)],
                              description=_l("Your integration receives each reply as signed JSON."))
    max_file_mb = IntegerField(_l("Largest file (MB)"), validators=[DataRequired(REQUIRED)])
    max_message_mb = IntegerField(_l("All files of one message (MB)"), validators=[DataRequired(REQUIRED)])
    response_hours = IntegerField(_l("Hours to answer a buyer"), validators=[Optional()],
                                  description=_l("Leave empty to follow the platform's rule (24 hours)."))
    response_business_hours_only = SelectField(_l("Count only business hours"))
    response_auto_reply_counts = SelectField(_l("An auto-reply counts as an answer"))
    response_warning_hours = IntegerField(_l("Warn this many hours before the deadline"), validators=[Optional()])
    holidays = TextAreaField(_l("Holidays"), validators=[Optional(), Length(max=5000)],
                             description=_l("One date per line, such as 2026-12-31; business hours do not run then."))


class AddMemberForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)],
                       description=_l("The person must already have a sellerkit account."))
    role = SelectField(_l("Role"))
