"""A policy written out in one of the UI languages from translated sentences, as text or Markdown."""
from babel import Locale
from babel.lists import format_list
from flask_babel import force_locale, ngettext

from sellerkit.i18n import buyer_locale, lazy_pgettext, localize_digits
from sellerkit.i18n import gettext as _
from sellerkit.i18n import lazy_gettext as _l

SECTION_TITLES = {"shipping": _l("Shipping"), "payment": _l("Payment options"),
                  "returns": _l("Returns and exchanges"), "privacy": _l("Privacy"),
                  "faq": _l("More information (FAQ)")}
#: The payment methods as the seller picks them (a list of choices, so capitalised).
METHOD_LABELS = {"marketplace": _l("Payment through the marketplace"), "card": _l("Card"), "paypal": _l("PayPal"),
                 "bank_transfer": _l("Bank transfer"), "cash_on_delivery": _l("Cash on delivery")}
#: The same methods inside the policy's sentence, written as the language writes them mid-sentence.
METHODS_IN_SENTENCE = {
    # Translators: a payment method inside "Accepted payment methods: …", lower case where your language writes it so.
    "marketplace": lazy_pgettext("payment method in a sentence", "payment through the marketplace"),
    # Translators: a payment method inside "Accepted payment methods: …", lower case where your language writes it so.
    "card": lazy_pgettext("payment method in a sentence", "card"),
    "paypal": METHOD_LABELS["paypal"],
    # Translators: a payment method inside "Accepted payment methods: …", lower case where your language writes it so.
    "bank_transfer": lazy_pgettext("payment method in a sentence", "bank transfer"),
    # Translators: a payment method inside "Accepted payment methods: …", lower case where your language writes it so.
    "cash_on_delivery": lazy_pgettext("payment method in a sentence", "cash on delivery"),
}


def _sentences(section, options, locale):
    if section == "shipping":
        days = options["processing_days"]
        yield ngettext("Orders are prepared and shipped within %(num)s business day.",
                       "Orders are prepared and shipped within %(num)s business days.", days) if days else \
            _("Orders are shipped on the day they are placed.")
        if options["carriers"].strip():
            yield _("Carriers: %(carriers)s.", carriers=options["carriers"].strip())
        yield _("We ship worldwide.") if options["ships_internationally"] else _("We ship within the country only.")
    elif section == "payment":
        # Babel joins the list the way the language does: "A, B and C", "A、B和C", "A، B و C".
        yield _("Accepted payment methods: %(methods)s.",
                methods=format_list([str(METHODS_IN_SENTENCE[m]) for m in options["methods"]], locale=locale))
    elif section == "returns":
        if options["returns_accepted"]:
            yield ngettext("Returns are accepted within %(num)s day of delivery.",
                           "Returns are accepted within %(num)s days of delivery.", options["return_window_days"])
            yield _("The buyer pays for return shipping.") if options["return_shipping_paid_by"] == "buyer" \
                else _("We pay for return shipping.")
        else:
            yield _("Returns are not accepted.")
        yield _("Exchanges are possible.") if options["exchanges"] else _("Exchanges are not possible.")
        if options["non_returnable"].strip():
            yield _("These items cannot be returned: %(items)s.", items=options["non_returnable"].strip())
    elif section == "privacy":
        yield _("We use your details only to process and deliver your order, and we never sell them.")
        if options["shares_with_carriers"]:
            yield _("We share your name and address with the carrier that delivers your parcel.")


def render(section, content, language):
    """(title, paragraphs) of a section in the buyer's language; the seller's own text comes last, as written."""
    locale = buyer_locale(language)
    with force_locale(locale):
        title = str(SECTION_TITLES[section])
        paragraphs = [localize_digits(sentence, Locale.parse(locale))
                      for sentence in _sentences(section, content.options, locale)]
    paragraphs += [part.strip() for part in content.free_text.split("\n\n") if part.strip()]
    return title, paragraphs


def as_text(section, content, language):
    title, paragraphs = render(section, content, language)
    return "\n\n".join([title] + paragraphs) + "\n"


def as_markdown(section, content, language):
    title, paragraphs = render(section, content, language)
    return "\n\n".join([f"## {title}"] + paragraphs) + "\n"
