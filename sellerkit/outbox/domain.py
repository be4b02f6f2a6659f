"""Pure outbox rules: when to retry a failed delivery, how long a claim lasts, how many sends one receiver gets."""
from datetime import timedelta

MAX_ATTEMPTS = 8
#: Waits after the 1st, 2nd, ... failure: quick at first (a blip), then hours (an outage), about a day in all.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=3), timedelta(hours=6), timedelta(hours=12))
#: A claim is a lease: a live sender renews it every LEASE_RENEW_EVERY while it works on the item, and once it runs
#: out (the sender died) the next sweep takes the item back; sweeps run every 15 s, so that is within 60 s.
LEASE = timedelta(seconds=30)
LEASE_RENEW_EVERY = timedelta(seconds=10)
#: Sending threads per sweep, and the most of them one receiver (a shop's webhook, the mail server) may hold, so a
#: receiver that answers only at its timeout slows its own items and nobody else's.
SENDERS = 8
LANE_SHARE = 0.5


def next_attempt_at(attempts, now, permanent):
    """When to try again after `attempts` failed tries, or None when it is time to give up."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return None
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]


def lane(transport, shop_id):
    """The receiver an item goes to: each shop's webhook and channels are its own, all e-mail goes to the one mail
    server."""
    return (transport, shop_id if transport in ("webhook", "channel") else None)


def lane_limit(senders, share=LANE_SHARE):
    """How many of `senders` threads one receiver may hold at once (at least one)."""
    return max(1, int(senders * share))



#: What a delivery error is about, from the start of its recorded reason (outbox.transports and outbox.delivery
#: write them), so that the seller reads it in their language; the server's own words stay as the detail.
FAILURE_PREFIXES = (
    ("no mail server is configured", "mail_server_missing"),
    ("the buyer has no e-mail address", "buyer_without_email"),
    ("the recipient address", "bad_buyer_address"),
    ("the sender address", "bad_sender_address"),
    ("cannot talk to the mail server", "mail_server_unreachable"),
    ("the mail server's tls certificate", "mail_server_unreachable"),
    ("the mail server does not support", "mail_server_unsupported"),
    ("the mail server answered", "mail_server_refused"),
    ("the shop has no webhook", "webhook_missing"),
    ("refused ", "webhook_address_refused"),
    ("the webhook did not answer", "webhook_unreachable"),
    ("cannot reach the webhook", "webhook_unreachable"),
    ("the webhook's tls certificate", "webhook_unreachable"),
    ("the webhook answered", "webhook_refused"),
    ("the webhook redirected", "webhook_refused"),
    # The marketplace channels (sellerkit.channels.errors.delivery_error and the kinds' own checks).
    ("ozon plan:", "ozon_plan"),
    ("the conversation is not open on the platform", "platform_chat_closed"),
    ("the conversation is not a", "platform_no_chat"),
    ("the reply is too long for the platform", "platform_too_long"),
    ("the platform refuses these files", "wildberries_files_refused"),
    ("the platform asks for payment", "platform_payment"),
    ("the reply is longer than the platform accepts", "platform_too_long"),
    ("the platform does not accept the file", "platform_files_refused"),
    ("the platform refused the key", "platform_auth"),
    ("the platform asks to wait", "platform_rate_limited"),
    ("cannot reach the platform", "platform_unreachable"),
    ("the platform refused the reply", "platform_refused"),
    ("returned by the receiving mail server", "bounced"),
    ("this conversation cannot be answered by e-mail", "answer_on_platform"),
)


def failure_kind(reason):
    """The kind of a recorded delivery error (a FAILURE_PREFIXES code), or "other" for one not listed there."""
    text = (reason or "").lower()
    return next((kind for prefix, kind in FAILURE_PREFIXES if text.startswith(prefix)), "other")
