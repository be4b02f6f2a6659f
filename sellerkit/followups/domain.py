"""Pure follow-up rules: when a follow-up is due, whether it may go now, wait, or never go, and the message text.

A follow-up goes only to a buyer who gave marketing consent and did not withdraw it, whose order was
delivered, with no open dispute, no open support ticket and no complaint as their last message, who got
nothing from this campaign yet; it waits while the shop is on vacation and while the buyer had another
follow-up within the campaign's minimum interval.
"""
from dataclasses import dataclass
from datetime import timedelta

from sellerkit.replies.domain import unknown_placeholders

TRIGGERS = ("after_delivery", "after_last_order")
COUPON_MODES = ("none", "shared", "pool")
PLACEHOLDERS = ("buyer_name", "order_reference", "coupon_code", "coupon_expiry", "opt_out_link", "shop_name")
MAX_DAYS = 365
MAX_BODY = 5000
MAX_NAME = 120
#: Switching a campaign on reaches orders whose follow-up fell due at most this long ago, never older customers.
LOOKBACK = timedelta(days=30)
#: Why a follow-up was skipped (never sent), in the order the rules are checked.
SKIP_REASONS = ("no_consent", "consent_withdrawn", "already_sent", "not_delivered", "newer_order", "open_dispute",
                "open_ticket", "complaint", "no_coupon", "campaign_off")
#: Why a follow-up waits past its due time.
WAIT_REASONS = ("vacation", "recently_contacted")


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one buyer and order, gathered by the service."""

    consent_given: bool
    consent_withdrawn: bool
    delivered: bool
    already_sent_in_campaign: bool = False
    newer_order: bool = False
    open_dispute: bool = False
    open_ticket: bool = False
    last_message_is_complaint: bool = False
    coupon_available: bool = True
    campaign_active: bool = True
    vacation_ends_at: object = None
    last_follow_up_at: object = None


@dataclass(frozen=True)
class Decision:
    action: str  # "send", "wait" or "skip"
    reason: str | None = None
    until: object = None


def decide(facts, min_days_between, now):
    """Send, wait until a time (vacation, minimum interval), or skip with the first reason that applies."""
    skip = next((reason for reason, applies in (
        ("campaign_off", not facts.campaign_active),
        ("consent_withdrawn", facts.consent_withdrawn),
        ("no_consent", not facts.consent_given),
        ("already_sent", facts.already_sent_in_campaign),
        ("not_delivered", not facts.delivered),
        ("newer_order", facts.newer_order),
        ("open_dispute", facts.open_dispute),
        ("open_ticket", facts.open_ticket),
        ("complaint", facts.last_message_is_complaint),
        ("no_coupon", not facts.coupon_available),
    ) if applies), None)
    if skip:
        return Decision("skip", skip)
    if facts.vacation_ends_at is not None and facts.vacation_ends_at > now:
        return Decision("wait", "vacation", facts.vacation_ends_at)
    if facts.last_follow_up_at is not None:
        allowed_at = facts.last_follow_up_at + timedelta(days=min_days_between)
        if allowed_at > now:
            return Decision("wait", "recently_contacted", allowed_at)
    return Decision("send")


def trigger_time(trigger, placed_at, delivered_at, created_at):
    """The moment the campaign counts from: the delivery, or the order (its placing, else when we learnt of it)."""
    if trigger == "after_delivery":
        return delivered_at
    return placed_at or created_at


def due_at(trigger, days, placed_at, delivered_at, created_at):
    start = trigger_time(trigger, placed_at, delivered_at, created_at)
    return start + timedelta(days=days) if start is not None else None


def campaign_problem(name, trigger, days, min_days_between, coupon_mode, bodies, *, default_language):
    """The first problem with a campaign's own fields as (field, code, detail), or None. Coupons are checked
    by the service, which knows them."""
    if not (name or "").strip():
        return "name", "required", None
    if len(name.strip()) > MAX_NAME:
        return "name", "too_long", None
    if trigger not in TRIGGERS:
        return "trigger", "choice", None
    if coupon_mode not in COUPON_MODES:
        return "coupon_mode", "choice", None
    for field, value in (("days", days), ("min_days_between", min_days_between)):
        if not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
            return field, "days_range", None
    if not (bodies.get(default_language) or "").strip():
        return f"body_{default_language}", "default_language_missing", None
    for language, body in bodies.items():
        if len(body) > MAX_BODY:
            return f"body_{language}", "too_long", None
        unknown = unknown_placeholders(body, PLACEHOLDERS)
        if unknown:
            return f"body_{language}", "unknown_placeholder", ", ".join(unknown)
        if coupon_mode == "none" and ("{coupon_code" in body or "{coupon_expiry" in body):
            return f"body_{language}", "coupon_placeholder_without_coupon", None
    return None


def with_opt_out(text, link, footer):
    """The text with its opt-out link: where the seller put {opt_out_link}, else the footer (which carries it)."""
    return text if link in text else text.rstrip() + footer
