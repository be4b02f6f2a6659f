"""What each placeholder stands for, in the viewer's language, for the editor's reference list."""
from sellerkit.i18n import lazy_gettext as _l

PLACEHOLDER_HELP = {
    "buyer_name": _l("the buyer's name"),
    "order_reference": _l("the order number"),
    "order_date": _l("the date the order was placed"),
    "tracking_number": _l("the tracking number"),
    "tracking_link": _l("the tracking link"),
    "shop_name": _l("your shop's name"),
    "seller_name": _l("your name"),
    "today": _l("today's date"),
    "return_window": _l("the return window from your current returns policy"),
    "processing_time": _l("the processing time from your current shipping policy"),
    "vacation_return_date": _l("the date your vacation ends"),
}
