"""Fetching a channel's new mail from its IMAP folder after a (UIDVALIDITY, UID) cursor, in bulk."""
import logging
from datetime import date

from sellerkit.channels.email import connection
from sellerkit.channels.email.parsing import parse_mail
from sellerkit.channels.kinds import Batch

log = logging.getLogger(__name__)

#: Mails per FETCH command: few round trips for a backlog, and a bounded answer to hold in memory.
CHUNK = 200


def _uids_after(client, cursor, uidvalidity):
    """The folder's UIDs still to read, in order. A cursor of another UIDVALIDITY (the folder was rebuilt) counts
    for nothing: everything is read again, and Message-IDs keep what was stored from being stored twice."""
    cursor = cursor or {}
    if cursor.get("uidvalidity") == uidvalidity:
        last = int(cursor.get("uid") or 0)
        # "UID n:*" always includes the last mail, even when its UID is below n: hence the filter.
        return last, sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
    since = cursor.get("since")
    criteria = ["SINCE", date.fromisoformat(since)] if since else ["ALL"]
    return 0, sorted(client.search(criteria))


def _parsed(uid, answer, address, now):
    try:
        return parse_mail(answer[b"BODY[]"], address, now, answer.get(b"INTERNALDATE"))
    except Exception:  # noqa: BLE001 - one mail the parser cannot read must not stop the mailbox for good
        log.exception("Mail with UID %s could not be read; it stays in the mailbox", uid)
        return None


def fetch(settings, secrets, cursor, limit, now):
    """Up to `limit` mails after the cursor as a Batch: the ones for the channel's address parsed, the others
    passed over; the cursor moves past both. A first cursor may be {"since": "YYYY-MM-DD"} (the last N days)."""
    client = connection.logged_in(settings, secrets)
    try:
        selected = connection.select(client, settings.get("folder"))
        uidvalidity = int(selected[b"UIDVALIDITY"])
        try:
            last, uids = _uids_after(client, cursor, uidvalidity)
            taken = uids[:max(1, limit)]
            messages = []
            for start in range(0, len(taken), CHUNK):
                chunk = taken[start:start + CHUNK]
                answers = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
                for uid in chunk:
                    answer = answers.get(uid)
                    if answer is None:
                        continue  # deleted meanwhile
                    fetched = _parsed(uid, answer, settings["address"], now)
                    if fetched is not None:
                        fetched.hints["uid"] = uid
                        messages.append(fetched)
        except Exception as error:  # noqa: BLE001 - the seller reads what went wrong, by its kind
            raise connection.channel_error(error, "fetch") from error
    finally:
        connection.close(client)
    remaining = len(uids) - len(taken)
    return Batch(messages, {"uidvalidity": uidvalidity, "uid": taken[-1] if taken else last},
                 more=remaining > 0, backlog=remaining)
