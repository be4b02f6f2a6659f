"""The campaign form; its message per language comes from forms.with_language_texts."""
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from sellerkit.followups import domain
from sellerkit.followups.labels import COUPON_MODE_LABELS, TRIGGER_LABELS
from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import lazy_pgettext

REQUIRED = _l("This field is required.")
DAYS = NumberRange(min=1, max=domain.MAX_DAYS, message=_l("Give a number of days from 1 to 365."))


class CampaignForm(BaseForm):
    # Translators: the campaign's name (a title, not a person's name).
    name = StringField(lazy_pgettext("campaign name", "Name"),
                       validators=[InputRequired(REQUIRED), Length(max=domain.MAX_NAME)],
                       description=_l("For you; buyers see only the message."))
    # Translators: when a campaign's follow-up goes out (a field and a column), such as "Days after delivery: 14".
    trigger = SelectField(_l("When"), choices=[SelectChoice(t, TRIGGER_LABELS[t]) for t in domain.TRIGGERS])
    days = IntegerField(_l("Days"), validators=[InputRequired(REQUIRED), DAYS])
    min_days_between = IntegerField(_l("At most one follow-up per buyer every (days)"), default=30,
                                    validators=[InputRequired(REQUIRED), DAYS],
                                    description=_l("Counts the follow-ups of all your campaigns."))
    coupon_mode = SelectField(_l("Coupon"), choices=[SelectChoice(m, COUPON_MODE_LABELS[m])
                                                     for m in domain.COUPON_MODES])
    coupon_id = SelectField(_l("Shared code"), coerce=int, validators=[Optional()], validate_choice=False)
    coupon_pool = SelectField(_l("Pool of single-use codes"), validators=[Optional()], validate_choice=False)

    def fields(self):
        return {"name": self.name.data, "trigger": self.trigger.data, "days": self.days.data,
                "min_days_between": self.min_days_between.data, "coupon_mode": self.coupon_mode.data,
                "coupon_id": self.coupon_id.data, "coupon_pool": self.coupon_pool.data or None}
