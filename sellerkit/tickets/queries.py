"""Reading tickets: the filtered, searchable list (keyset pages) and the overview of counts per status."""
from dataclasses import dataclass

from sqlalchemy import exists, func, select

from sellerkit.extensions import db
from sellerkit.tickets import search
from sellerkit.tickets.models import Ticket, TicketFile

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    lifecycle: str | None = None
    topic: str | None = None
    platform: str | None = None
    created_from: object = None  # aware datetime, inclusive
    created_until: object = None  # aware datetime, exclusive
    query: str = ""


def _filtered(shop_ids, filters):
    conditions = [Ticket.shop_id.in_(shop_ids)]
    if filters.lifecycle:
        conditions.append(Ticket.lifecycle == filters.lifecycle)
    if filters.topic:
        conditions.append(Ticket.topic_key == filters.topic)
    if filters.platform:
        conditions.append(Ticket.platform == filters.platform)
    if filters.created_from is not None:
        conditions.append(Ticket.created_at >= filters.created_from)
    if filters.created_until is not None:
        conditions.append(Ticket.created_at < filters.created_until)
    matching = search.matching_ticket_ids(filters.query) if filters.query.strip() else None
    if filters.query.strip():
        # A query with no searchable terms (only punctuation) matches nothing rather than everything.
        conditions.append(Ticket.id.in_(matching) if matching is not None else Ticket.id.is_(None))
    return conditions


def list_tickets(shop_ids, filters, after=None, limit=PAGE_SIZE):
    """(rows, next cursor): rows are (ticket, has files), newest first, one query."""
    has_files = exists().where(TicketFile.ticket_id == Ticket.id, TicketFile.included.is_(True)).label("has_files")
    statement = select(Ticket, has_files).where(*_filtered(shop_ids, filters))
    if after is not None:
        statement = statement.where(Ticket.id < after)
    rows = db.session.execute(statement.order_by(Ticket.id.desc()).limit(limit + 1)).all()
    return rows[:limit], rows[limit - 1][0].id if len(rows) > limit else None


def overview(shop_ids, filters=Filters()):
    """{lifecycle: count} over the same filters but the status itself: the dashboard above the list."""
    counting = Filters(topic=filters.topic, platform=filters.platform, created_from=filters.created_from,
                       created_until=filters.created_until, query=filters.query)
    return dict(db.session.execute(select(Ticket.lifecycle, func.count()).where(*_filtered(shop_ids, counting))
                                   .group_by(Ticket.lifecycle)).all())
