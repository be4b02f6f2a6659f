"""Forms to record a buyer's consent by hand and to import consents collected on the marketplace."""
from wtforms import DateField, FileField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from sellerkit.consent.domain import MAX_TEXT, RECORDABLE_SOURCES
from sellerkit.consent.labels import ACTION_LABELS, SOURCE_LABELS
from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l


class ConsentForm(BaseForm):
    action = SelectField(_l("What happened"), choices=[SelectChoice(a, ACTION_LABELS[a]) for a in ACTION_LABELS])
    source = SelectField(_l("How"), choices=[SelectChoice(s, SOURCE_LABELS[s]) for s in RECORDABLE_SOURCES],
                         default="message")
    text = TextAreaField(_l("What the buyer agreed to"), validators=[Length(max=MAX_TEXT)],
                         description=_l(
                             "The wording they saw or wrote, for example: “Yes, send me offers and coupons.”"))
    occurred_on = DateField(_l("Date"), validators=[Optional()], description=_l("Leave empty for now."))


class ConsentImportForm(BaseForm):
    file = FileField(_l("CSV file"), description=_l("Columns: buyer_id or email, given_at, text, and optionally "
                                                    "withdrawn_at. Dates as 2026-11-23 or with a time and timezone."))
