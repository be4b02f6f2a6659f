"""Sending a reply through the channel's own SMTP server, From its address, threaded to the buyer's mail."""
import re
from dataclasses import replace

from sellerkit.channels.email import tokens
from sellerkit.channels.email.connection import ca_file, refuse_metadata
from sellerkit.channels.email.marketplaces import manual_reply_url
from sellerkit.channels.kinds import ChannelError
from sellerkit.outbox.netguard import is_loopback
from sellerkit.outbox.transports import DeliveryError, channel_smtp_settings, send_email

OUR_ID = re.compile(r"^<(sellerkit\.\d+\.\d+)@[^>]*>$")


def message_id_on(address, message_id_header):
    """Our Message-ID with the channel address's domain: mail from shop@example.com carries <...@example.com>."""
    match = OUR_ID.match(message_id_header or "")
    if not match:
        raise DeliveryError(f"invalid Message-ID {message_id_header!r}", permanent=True)
    return f"<{match.group(1)}@{address.rpartition('@')[2]}>"


def channel_delivery(settings, delivery, key):
    """The delivery as this channel sends it: From its address, our id on its domain, Reply-To with the thread's
    signed token and the subject with its tag, so that an answer finds its conversation whatever the buyer's
    program keeps of the headers."""
    address = settings["address"]
    thread = (delivery.payload or {}).get("thread") or {}
    if manual_reply_url(thread.get("external_id")):
        raise DeliveryError("this conversation cannot be answered by e-mail: answer it on the marketplace's site",
                            permanent=True)
    headers, subject = tuple(delivery.headers), delivery.subject or ""
    if thread.get("id"):
        headers += (("Reply-To", tokens.reply_address(address, key, delivery.shop_id, thread["id"])),)
        tag = tokens.subject_tag(key, delivery.shop_id, thread["id"])
        subject = subject if tag in subject else f"{subject} {tag}".strip()
    return replace(delivery, from_email=address, message_id_header=message_id_on(address, delivery.message_id_header),
                   subject=subject, headers=headers)


def send(settings, secrets, delivery, now):
    """Send one outbox delivery through the channel's server; raises DeliveryError (permanent or not)."""
    if settings.get("smtp_security") == "none" and not is_loopback(settings.get("smtp_host")):
        raise DeliveryError("the mail server refuses plain connections beyond this computer", permanent=True)
    try:
        refuse_metadata(settings.get("smtp_host"), int(settings.get("smtp_port") or 25))
    except ChannelError:
        raise DeliveryError("the mail server's address is not allowed", permanent=True) from None
    except OSError:
        pass  # a name that does not resolve: send_email reports the unreachable server as it does for any
    send_email(channel_delivery(settings, delivery, tokens.signing_key()),
               channel_smtp_settings(settings, secrets, ca_file()))
