"""Vacation and away-reply forms; their messages per language come from forms.with_language_texts."""
from wtforms import BooleanField, DateField
from wtforms.validators import InputRequired

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")
MAX_MESSAGE = 5000


class VacationForm(BaseForm):
    starts_on = DateField(_l("First day away"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Last day away"), validators=[InputRequired(REQUIRED)])


class AwayForm(BaseForm):
    enabled = BooleanField(_l("Answer automatically outside business hours"),
                           description=_l("Once per conversation each time the shop is closed, and at most once a week "
                                          "per buyer; only if business hours are set in the shop settings."))
