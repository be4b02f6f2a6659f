"""Saved replies filled in for one conversation, as the composer and the API show them: the picker's whole list
and the suggested few. It reads the policies and the vacation a body quotes, so it sits beside the features."""
from dataclasses import dataclass

from sellerkit.autoreply import services as vacations
from sellerkit.policies import services as policies
from sellerkit.replies import services as replies
from sellerkit.suggestions import services as suggestions


@dataclass(frozen=True)
class Filled:
    """A saved reply written out for this buyer: in their language when it has that version."""

    id: int
    title: str
    shortcut: str
    language: str
    text: str
    missing: tuple
    other_language: bool
    #: For a suggestion, the buyer's words that matched it.
    matched: tuple = ()


def fill_in(membership, thread, seller, now, usable, matched=None):
    """`usable` (picker rows) filled in for the thread, in their order; replies with no body are left out."""
    shop = membership.shop
    # The vacation and the policies are read only when a reply quotes them: most pages need neither query.
    bodies = [body for reply in usable for body in reply.bodies.values()]
    quotes_vacation = any("{vacation_return_date" in body for body in bodies)
    quotes_policy = any("{" + name in body for name in policies.QUOTED_BY.values() for body in bodies)
    values = replies.placeholder_values(thread, shop, seller, now,
                                        policies.placeholder_values(shop.id) if quotes_policy else {},
                                        vacations.return_day(shop, now) if quotes_vacation else None)
    filled = []
    for reply in usable:
        language, rendered = replies.render_for_thread(reply, thread, shop, seller, now, values)
        if language:
            filled.append(Filled(reply.id, reply.title, reply.shortcut or "", language, rendered.text,
                                 rendered.missing, language != (thread.language or shop.default_language),
                                 (matched or {}).get(reply.id, ())))
    return filled


def picker(membership, thread, seller, now):
    """Every saved reply the member can use, most used first, filled in for the thread."""
    return fill_in(membership, thread, seller, now, replies.picker_replies(membership))


def suggested(membership, thread, seller, now, messages=None):
    """(the buyer message answered, up to three saved replies filled in for it, best first). `messages`, the
    thread's messages when read already, spares a query."""
    message, found = suggestions.suggest_for_thread(thread, seller, messages)
    if not found:
        return message, []
    return message, fill_in(membership, thread, seller, now, [reply for _item, reply in found],
                            {item.reply_id: item.matched for item, _reply in found})
