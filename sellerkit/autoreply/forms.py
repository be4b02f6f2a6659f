"""The vacation form: first and last day away, and the message in each language."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from sellerkit.forms import BaseForm
from sellerkit.i18n import locale_display_name

REQUIRED = _l("This field is required.")
OFFERED_LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")


class VacationForm(BaseForm):
    starts_on = DateField(_l("First day away"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Last day away"), validators=[InputRequired(REQUIRED)])


def vacation_form(languages, **kwargs):
    class Form(VacationForm):
        pass

    for language in languages:
        setattr(Form, f"body_{language}", TextAreaField(
            locale_display_name(language), validators=[Optional(), Length(max=5000, message=_l("This text is too long."))]))
    form = Form(**kwargs)
    form.body_fields = [(language, form[f"body_{language}"]) for language in languages]
    return form


class AwayForm(BaseForm):
    enabled = BooleanField(_l("Answer automatically outside business hours"),
                           description=_l("Once per conversation each time the shop is closed, and at most once a week "
                                          "per buyer; only if business hours are set in the shop settings."))


def away_form(languages, **kwargs):
    class Form(AwayForm):
        pass

    for language in languages:
        setattr(Form, f"away_{language}", TextAreaField(
            locale_display_name(language), validators=[Optional(), Length(max=5000, message=_l("This text is too long."))]))
    form = Form(**kwargs)
    form.body_fields = [(language, form[f"away_{language}"]) for language in languages]
    return form
