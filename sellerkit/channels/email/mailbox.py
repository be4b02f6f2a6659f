"""Fetching a channel's new mail from its IMAP folder after a (UIDVALIDITY, UID) cursor, in bulk."""
import logging
from datetime import date, timedelta

from sellerkit.channels.email import connection
from sellerkit.channels.email.parsing import parse_mail
from sellerkit.channels.kinds import Batch

log = logging.getLogger(__name__)

#: Mails per FETCH command: few round trips for a backlog, and a bounded answer to hold in memory.
CHUNK = 200


def first_cursor(history_days, now):
    """The first cursor for the seller's choice of how many past days to import: "0" none of the mail already
    there, "7" the mail of the last 7 days (and today's); None when no choice was made (all of the folder)."""
    if history_days is None:
        return None
    days = int(history_days)
    if days == 0:
        return {"new_only": True}
    return {"since": (now.date() - timedelta(days=days)).isoformat()}


def _uids_after(client, cursor, uidvalidity):
    """The folder's UIDs still to read, in order, after the cursor's UID. A cursor of another UIDVALIDITY (the
    folder was rebuilt) counts for nothing: everything is read again, and Message-IDs keep what was stored from
    being stored twice. A first import ({"since": day}) reads only mail that arrived on or after that day, and
    {"new_only": true} none of the mail already there."""
    cursor = cursor or {}
    last = int(cursor.get("uid") or 0) if cursor.get("uidvalidity") == uidvalidity else 0
    if cursor.get("new_only"):
        return last, []
    criteria = ["UID", f"{last + 1}:*"]
    if cursor.get("since"):
        criteria = ["SINCE", date.fromisoformat(cursor["since"]), *criteria]
    # "UID n:*" always includes the last mail, even when its UID is below n: hence the filter.
    return last, sorted(uid for uid in client.search(criteria) if uid > last)


def _parsed(uid, answer, address, now):
    try:
        return parse_mail(answer[b"BODY[]"], address, now, answer.get(b"INTERNALDATE"))
    except Exception:  # noqa: BLE001 - one mail the parser cannot read must not stop the mailbox for good
        log.exception("Mail with UID %s could not be read; it stays in the mailbox", uid)
        return None


def fetch(settings, secrets, cursor_in, limit, now):
    """Up to `limit` mails after the cursor as a Batch: the ones for the channel's address parsed, the others
    passed over; the cursor moves past both. A first cursor may be {"since": "YYYY-MM-DD"} (the last N days) or
    {"new_only": true} (no mail from before)."""
    client = connection.logged_in(settings, secrets)
    try:
        selected = connection.select(client, settings.get("folder"))
        uidvalidity = int(selected[b"UIDVALIDITY"])
        uidnext = int(selected.get(b"UIDNEXT") or 1)
        try:
            last, uids = _uids_after(client, cursor_in, uidvalidity)
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
    cursor = {"uidvalidity": uidvalidity, "uid": taken[-1] if taken else last}
    if remaining and (cursor_in or {}).get("since"):
        cursor["since"] = cursor_in["since"]  # the first import goes on with the same day
    elif not remaining:
        # Mail passed over by a first import (older, or all of it) stays behind the cursor for good.
        cursor["uid"] = max(cursor["uid"], uidnext - 1)
    return Batch(messages, cursor, more=remaining > 0, backlog=remaining)
