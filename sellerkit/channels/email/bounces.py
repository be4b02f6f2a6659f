"""Delivery status notifications (RFC 3464, multipart/report): which of our mails bounced, and why. Pure."""
from dataclasses import dataclass
from email import message_from_string, policy


@dataclass(frozen=True)
class Bounce:
    """A report that one of our mails was not delivered: its Message-ID, whether for good, the server's words."""

    message_id: str | None
    permanent: bool
    reason: str


def _status_fields(report):
    """The per-recipient fields of a message/delivery-status part, lower-cased names, first recipient first."""
    fields = {}
    for block in report.get_payload() if report.is_multipart() else []:
        for name, value in block.items():
            fields.setdefault(name.lower(), str(value).strip())
    return fields


def _original_id(part):
    """The Message-ID of the mail a report returns: a message/rfc822 part, or text/rfc822-headers."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        original = inner[0] if isinstance(inner, list) and inner else None
    else:
        original = message_from_string(part.get_content(), policy=policy.default)
    value = original.get("Message-ID") if original is not None else None
    return str(value).strip() if value else None


def read_bounce(message):
    """The Bounce a parsed mail reports, or None when it is not a delivery failure report (a delay is not one)."""
    if message.get_content_type() != "multipart/report" or \
            message.get_param("report-type", "").lower() != "delivery-status":
        return None
    fields, original = {}, None
    for part in message.iter_parts():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            fields = _status_fields(part)
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _original_id(part)
    action, status = fields.get("action", "").lower(), fields.get("status", "")
    if action != "failed":
        return None
    reason = fields.get("diagnostic-code") or status or "failed"
    return Bounce(original, status.startswith("5"), " ".join(reason.split())[:500])
