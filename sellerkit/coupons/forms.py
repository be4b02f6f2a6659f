"""Coupon forms: one code, a generated pool, a redemption, and the CSV uploads."""
from decimal import Decimal

from wtforms import (
    DateField,
    DateTimeLocalField,
    FileField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from sellerkit.coupons.domain import MAX_GENERATE, MAX_ORDER_REF, parse_decimal
from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")
TOO_LONG = _l("This text is too long.")


class AmountField(StringField):
    """A money amount or percentage as a Decimal; a decimal comma is accepted, as sellers in Poland type it."""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = parse_decimal(text) if text else None
        if text and self.data is None:
            raise ValueError(_l("Enter a number, such as %(whole)s or %(fraction)s.", whole=10,
                                fraction=Decimal("12.5")))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class DayField(DateField):
    """The browser's date picker, with our own translated message (WTForms has none in our catalogs)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date, such as 2026-12-31.")) from None


class MomentField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date and time, such as 2026-12-31 18:00.")) from None


class TermsForm(BaseForm):
    """What a coupon gives and when; shared by a single code and a generated pool."""

    kind = SelectField(_l("Discount"), choices=[SelectChoice("percent", _l("Percentage off")),
                                                SelectChoice("fixed", _l("Fixed amount off"))])
    value = AmountField(_l("Value"), validators=[InputRequired(REQUIRED)],
                        description=_l("Percent (at most %(max)s) or the amount, such as %(whole)s or %(fraction)s.",
                                    max=100, whole=15, fraction=Decimal("10.5")))
    currency = StringField(_l("Currency"), validators=[Optional(), Length(max=3, message=TOO_LONG)],
                           description=_l("Three letters, such as EUR; needed for a fixed amount or a minimum order."))
    valid_from = DayField(_l("Valid from"), validators=[Optional()])
    valid_until = DayField(_l("Valid until (last day)"), validators=[Optional()])
    min_order = AmountField(_l("Minimum order"), validators=[Optional()])


class CouponForm(TermsForm):
    code = StringField(_l("Code"), validators=[InputRequired(REQUIRED), Length(max=64, message=TOO_LONG)],
                       description=_l("As buyers type it at checkout; stored in capital letters."))
    usage_limit = IntegerField(_l("Usage limit"), validators=[Optional()],
                               description=_l("How many orders may use it; empty for no limit."))


class GenerateForm(TermsForm):
    prefix = StringField(_l("Prefix"), validators=[InputRequired(REQUIRED), Length(max=40, message=TOO_LONG)],
                         description=_l("Codes look like PREFIX-7KQ2M9XA; the prefix also names the pool."))
    count = IntegerField(_l("How many codes"), validators=[InputRequired(REQUIRED)],
                         description=_l("Each code can be used once; at most %(count)s at a time.", count=MAX_GENERATE))


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"))


class RedemptionForm(BaseForm):
    code = StringField(_l("Code"), validators=[InputRequired(REQUIRED), Length(max=64, message=TOO_LONG)])
    order_reference = StringField(_l("Order reference"), validators=[InputRequired(REQUIRED),
                                                                     Length(max=MAX_ORDER_REF, message=TOO_LONG)])
    amount = AmountField(_l("Order amount"), validators=[InputRequired(REQUIRED)])
    currency = StringField(_l("Currency"), validators=[Optional(), Length(max=3, message=TOO_LONG)])
    redeemed_at = MomentField(_l("Order time"), validators=[Optional()],
                              description=_l("In the shop's timezone; empty for now."))
