"""Waiting for new mail with IMAP IDLE (RFC 2177), so a buyer's mail need not wait for the next poll."""
from sellerkit.channels.email import connection

#: RFC 2177 asks clients to renew IDLE at least every 29 minutes; some servers drop a connection sooner.
LONGEST_WAIT = 25 * 60


def wait_for_mail(settings, secrets, seconds):
    """Wait up to `seconds` for the server to announce new mail in the channel's folder: True when it did, False when
    the time passed, None when the server has no IDLE. Raises ChannelError."""
    client = connection.logged_in(settings, secrets)
    try:
        if not client.has_capability("IDLE"):
            return None
        connection.select(client, settings.get("folder"))
        try:
            client.idle()
            try:
                answers = client.idle_check(timeout=min(seconds, LONGEST_WAIT))
            finally:
                client.idle_done()
        except Exception as error:  # noqa: BLE001 - the seller reads what went wrong, by its kind
            raise connection.channel_error(error, "idle") from error
        return any(len(answer) > 1 and answer[1] in (b"EXISTS", b"RECENT") for answer in answers)
    finally:
        connection.close(client)
