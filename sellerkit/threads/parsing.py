"""Reading buyer messages from outside: the API's JSON shape, also used for JSON Lines and CSV imports."""
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sellerkit.errors import InputError
from sellerkit.i18n import gettext as _
from sellerkit.threads import domain

MESSAGE_FIELDS = ("external_id", "thread_external_id", "buyer", "order", "subject", "body", "received_at", "headers",
                  "attachments")
BUYER_FIELDS = ("id", "name", "language", "email")
ORDER_FIELDS = ("reference", "placed_at", "shipped_at", "delivered_at", "tracking_number", "tracking_url", "total",
                "currency", "items")


def text_field(data, name, field=None, required=False):
    value = data.get(name)
    if value is None:
        if required:
            raise InputError(_("Required fields are missing."), fields={field or name: _("This field is required.")})
        return None
    if not isinstance(value, str):
        raise InputError(_("Some fields have the wrong type."), fields={field or name: _("This field must be text.")})
    return value


def moment_field(data, name, field=None, required=False):
    value = text_field(data, name, field, required)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(_("Some fields have the wrong type."), fields={
            field or name: _("Give the time with its timezone, for example 2026-11-23T10:00:00Z.")})
    return moment


def _object(data, name, allowed):
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise InputError(_("Some fields have the wrong type."), fields={name: _("This field must be an object.")})
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise InputError(_("Unknown fields: %(names)s.", names=", ".join(f"{name}.{key}" for key in unknown)),
                       code="unknown_fields")
    return value


def _order(data):
    order = _object(data, "order", ORDER_FIELDS)
    total = order.get("total")
    if total is not None:
        try:
            total = Decimal(str(total))
            if not total.is_finite() or total < 0 or total >= Decimal("1e10"):
                raise InvalidOperation
        except InvalidOperation:
            raise InputError(_("Some fields have the wrong type."),
                           fields={"order.total": _("This value is not valid.")}) from None
    currency = text_field(order, "currency", "order.currency")
    if currency is not None and (len(currency) != 3 or not currency.isalpha()):
        raise InputError(_("Some fields have the wrong type."),
                         fields={"order.currency": _("This value is not valid.")})
    fields = {name: moment_field(order, name, f"order.{name}") for name in ("placed_at", "shipped_at", "delivered_at")}
    for name in ("tracking_number", "tracking_url"):
        value = text_field(order, name, f"order.{name}")
        fields[name] = value[:{"tracking_number": 100, "tracking_url": 500}[name]] if value else None
    fields.update(total=total, currency=currency.upper() if currency else None,
                  items_summary=(text_field(order, "items", "order.items") or "")[:2000])
    return text_field(order, "reference", "order.reference"), fields


def inbound_from_json(data):
    """An Inbound from the API's JSON shape; InputError names the first field that is wrong."""
    unknown = sorted(set(data) - set(MESSAGE_FIELDS))
    if unknown:
        raise InputError(_("Unknown fields: %(names)s.", names=", ".join(unknown)), code="unknown_fields",
                         fields={name: _("This field is not accepted here.") for name in unknown})
    buyer = _object(data, "buyer", BUYER_FIELDS)
    headers = data.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, (str, int)) for v in headers.values()):
        raise InputError(_("Some fields have the wrong type."), fields={"headers": _("This value is not valid.")})
    reference, order = _order(data)
    return domain.Inbound(
        external_id=text_field(data, "external_id"), body=text_field(data, "body", required=True),
        received_at=moment_field(data, "received_at", required=True),
        buyer_external_id=text_field(buyer, "id", "buyer.id"), buyer_name=text_field(buyer, "name", "buyer.name") or "",
        buyer_language=text_field(buyer, "language", "buyer.language"),
        buyer_email=text_field(buyer, "email", "buyer.email"),
        thread_external_id=text_field(data, "thread_external_id"), subject=text_field(data, "subject") or "",
        order_reference=reference, order=order, headers=headers)


CSV_COLUMNS = ("external_id", "thread_external_id", "buyer_id", "buyer_name", "buyer_language", "buyer_email",
               "order_reference", "subject", "body", "received_at")


def json_from_csv_row(row):
    """A CSV row (the columns of CSV_COLUMNS) in the API's JSON shape; empty cells count as missing."""
    def cell(name):
        value = (row.get(name) or "").strip()
        return value or None

    data = {name: cell(name) for name in ("external_id", "thread_external_id", "subject", "body", "received_at")}
    data["buyer"] = {key: cell(f"buyer_{key}") for key in ("id", "name", "language", "email")}
    data["order"] = {"reference": cell("order_reference")}
    return data
