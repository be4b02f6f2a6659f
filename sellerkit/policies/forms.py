"""Policy forms: one per section, with typed options and the seller's own text."""
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.policies.domain import MAX_FREE_TEXT, PAYMENT_METHODS
from sellerkit.policies.rendering import METHOD_LABELS

REQUIRED = _l("This field is required.")
TOO_LONG = _l("This text is too long.")


class PolicyForm(BaseForm):
    free_text = TextAreaField(_l("Your own words"),
                              validators=[Optional(), Length(max=MAX_FREE_TEXT, message=TOO_LONG)],
                              description=_l("Added after the standard text, exactly as you write it. Separate "
                                             "paragraphs with an empty line."))


class ShippingForm(PolicyForm):
    processing_days = IntegerField(_l("Processing time (days)"), validators=[InputRequired(REQUIRED)])
    carriers = StringField(_l("Carriers"), validators=[Optional(), Length(max=500)])
    ships_internationally = BooleanField(_l("I ship abroad"))


class PaymentForm(PolicyForm):
    methods = SelectMultipleField(_l("Payment methods"), choices=[SelectChoice(m, METHOD_LABELS[m])
                                                                  for m in PAYMENT_METHODS],
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class ReturnsForm(PolicyForm):
    returns_accepted = BooleanField(_l("I accept returns"))
    return_window_days = IntegerField(_l("Return window (days after delivery)"), validators=[InputRequired(REQUIRED)])
    exchanges = BooleanField(_l("I accept exchanges"))
    return_shipping_paid_by = SelectField(_l("Who pays for return shipping"), choices=[
        SelectChoice("buyer", _l("The buyer")), SelectChoice("seller", _l("I do"))])
    non_returnable = StringField(_l("Items that cannot be returned"), validators=[Optional(), Length(max=500)])


class PrivacyForm(PolicyForm):
    shares_with_carriers = BooleanField(_l("I give the buyer's address to the carrier"))


class FaqForm(PolicyForm):
    pass


FORMS = {"shipping": ShippingForm, "payment": PaymentForm, "returns": ReturnsForm, "privacy": PrivacyForm,
         "faq": FaqForm}


def options_from(form, defaults):
    """The typed options a form holds, under the names the domain expects."""
    return {name: (form[name].data if form[name].data is not None else "") for name in defaults}
