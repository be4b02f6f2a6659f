"""Read state, counts and notifications of the live workspace; and the events each kind of change announces."""
from dataclasses import dataclass

from flask import g
from sqlalchemy import and_, func, literal, or_, select, text, union_all, update

from sellerkit.dialects.upsert import dialect_insert
from sellerkit.extensions import db
from sellerkit.live import events
from sellerkit.live.models import LiveEvent, MemberNotice, NotificationMark, ThreadRead
from sellerkit.outbox.models import OutboxItem
from sellerkit.sla.models import Notification, ResponseClock
from sellerkit.threads.models import Message, Thread

#: The tabs that show how many conversations they hold: the ones with work in them.
COUNTED_VIEWS = ("needs_reply", "to_send", "disputes")


def announce_received(shop, received, now):
    """A buyer message came in (`received`: inbox.Received): the pages of the shop refresh, and the member the
    conversation is assigned to gets a notification. Called once per message; a redelivery announces nothing."""
    if not received.is_new or events.is_announced(received.message.id):
        return
    thread, message = received.thread, received.message
    events.publish(shop.id, "message", thread.id, now, message_id=message.id)
    if thread.assignee_id is not None and not message.is_automatic:
        db.session.add(MemberNotice(user_id=thread.assignee_id, shop_id=shop.id, thread_id=thread.id,
                                    message_id=message.id, kind="assigned_message", created_at=now))


def announce_delivery(item, now, failed=False):
    """A reply was delivered, or an attempt failed; a reply that failed for good is its author's notification."""
    message = db.session.get(Message, item.message_id)
    events.publish(item.shop_id, "delivery", message.thread_id, now, message_id=message.id)
    if failed and item.status == "failed" and message.author_id is not None:
        db.session.add(MemberNotice(user_id=message.author_id, shop_id=item.shop_id, thread_id=message.thread_id,
                                    message_id=message.id, kind="delivery_failed", created_at=now))


def mark_read(user_id, thread_id, last_message_id, now):
    """The member has seen the conversation up to `last_message_id`: one statement that never moves back (their
    notifications of a message they have now seen count as read: _unread_notice)."""
    table = ThreadRead.__table__
    insert = dialect_insert(db.session, table).values(user_id=user_id, thread_id=thread_id,
                                                      last_message_id=last_message_id, read_at=now)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["user_id", "thread_id"], set_={"last_message_id": insert.excluded.last_message_id,
                                                       "read_at": insert.excluded.read_at},
        where=table.c.last_message_id < insert.excluded.last_message_id))


def unread_ids(user, thread_ids):
    """Which of the given conversations have buyer words the member has not seen, in one query."""
    if not thread_ids:
        return set()
    read = ThreadRead.__table__.alias("reads")
    return set(db.session.scalars(
        select(Message.thread_id).distinct()
        .outerjoin(read, and_(read.c.thread_id == Message.thread_id, read.c.user_id == user.id))
        .where(Message.thread_id.in_(thread_ids), Message.kind == "buyer",
               or_(read.c.last_message_id.is_(None), Message.id > read.c.last_message_id))))


def _count_queries(shop_ids):
    """(view, shop id, conversations) for COUNTED_VIEWS over the given shops, a grouped query for each."""
    conditions = {
        # As the partial indexes say them (ix_threads_needs_reply, ix_threads_to_send, ix_threads_open_disputes).
        "needs_reply": text("threads.waiting_since IS NOT NULL AND threads.status != 'resolved'"),
        "to_send": text("threads.unsent_reply_at IS NOT NULL"),
        "disputes": text("threads.is_dispute AND threads.status != 'resolved'"),
    }
    return [select(literal(view).label("view"), Thread.shop_id, func.count().label("count"))
            .where(Thread.shop_id.in_(shop_ids), condition).group_by(Thread.shop_id)
            for view, condition in conditions.items()]


def _live_notifications(shop_ids):
    """The shops' warnings and breaches whose cause is still there: the response clock has not stopped."""
    return and_(Notification.shop_id.in_(shop_ids), Notification.clock_id.in_(
        select(ResponseClock.id).where(ResponseClock.status == "open", ResponseClock.shop_id.in_(shop_ids))))


def _live_notices(user):
    """The member's notices whose cause is still there: a failed reply that was not delivered since."""
    delivered = select(OutboxItem.message_id).where(OutboxItem.message_id == MemberNotice.message_id,
                                                    OutboxItem.status == "sent")
    return and_(MemberNotice.user_id == user.id,
                or_(MemberNotice.kind != "delivery_failed", ~delivered.exists()))


def _unread_notice():
    """A notice not marked read, and (a new message in an assigned conversation) not seen in the conversation."""
    seen = select(ThreadRead.user_id).where(ThreadRead.user_id == MemberNotice.user_id,
                                            ThreadRead.thread_id == MemberNotice.thread_id,
                                            ThreadRead.last_message_id >= MemberNotice.message_id)
    return and_(MemberNotice.read_at.is_(None), or_(MemberNotice.kind != "assigned_message", ~seen.exists()))


def _unread_count(user, shop_ids):
    """How many notifications the member has not read (the badge), as a scalar subquery."""
    seen = select(NotificationMark.last_notification_id).where(NotificationMark.user_id == user.id) \
        .scalar_subquery()
    shop_count = select(func.count()).select_from(Notification).where(
        _live_notifications(shop_ids), Notification.id > func.coalesce(seen, 0)).scalar_subquery()
    own_count = select(func.count()).select_from(MemberNotice).where(
        _live_notices(user), _unread_notice()).scalar_subquery()
    return shop_count + own_count


@dataclass(frozen=True)
class Header:
    """What every page's header shows of the live workspace."""

    #: The newest event of the member's shops: the page's stream starts after it.
    latest_event_id: int
    unread_notifications: int
    #: {(view, shop id): conversations} for COUNTED_VIEWS.
    counts: dict
    #: The newest message the member has seen of the conversation the page shows (0: none); None on other pages.
    read_up_to: int | None = None


def header(user, shop_ids):
    """The member's Header, in one statement (once per request); with `g.live_thread_id` set by a conversation's
    page, also how far the member had read it."""
    cached = g.get("live_header")
    if cached is not None and cached[0] == (user.id, tuple(shop_ids)):
        return cached[1]
    if not shop_ids:
        return Header(0, 0, {})
    latest = select(literal("latest").label("view"), literal(0).label("shop_id"),
                    func.coalesce(func.max(LiveEvent.id), 0).label("count")).where(LiveEvent.shop_id.in_(shop_ids))
    unread = select(literal("unread"), literal(0), _unread_count(user, shop_ids))
    parts = [latest, unread, *_count_queries(shop_ids)]
    thread_id = g.get("live_thread_id")
    if thread_id is not None:  # a conversation's page: how far the member had read it, so as not to write it again
        parts.append(select(literal("read"), literal(thread_id), func.coalesce(select(ThreadRead.last_message_id).where(
            ThreadRead.user_id == user.id, ThreadRead.thread_id == thread_id).scalar_subquery(), 0)))
    figures = {(view, shop_id): count for view, shop_id, count in db.session.execute(union_all(*parts))}
    found = Header(figures.pop(("latest", 0)), figures.pop(("unread", 0)), figures,
                   figures.pop(("read", thread_id), None))
    g.live_header = ((user.id, tuple(shop_ids)), found)
    return found


def unread_notifications(user, shop_ids):
    """How many notifications the member has not read (the badge), in one query."""
    return db.session.scalar(select(_unread_count(user, shop_ids))) if shop_ids else 0


def notifications_for(user, shop_ids, limit=100):
    """The member's notifications, newest first: (kind, created_at, thread, is_unread) tuples."""
    seen = db.session.scalar(select(NotificationMark.last_notification_id)
                             .where(NotificationMark.user_id == user.id)) or 0
    shop_rows = db.session.execute(
        select(Notification, Thread).join(Thread, Thread.id == Notification.thread_id)
        .where(_live_notifications(shop_ids)).order_by(Notification.id.desc()).limit(limit)).all() \
        if shop_ids else []
    own_rows = db.session.execute(
        select(MemberNotice, Thread, _unread_notice()).join(Thread, Thread.id == MemberNotice.thread_id)
        .where(_live_notices(user)).order_by(MemberNotice.id.desc()).limit(limit)).all()
    listed = [(n.kind, n.created_at, thread, n.id > seen) for n, thread in shop_rows] + \
        [(n.kind, n.created_at, thread, bool(unread)) for n, thread, unread in own_rows]
    return sorted(listed, key=lambda row: row[1], reverse=True)[:limit]


def mark_notifications_read(user, shop_ids, now):
    """Every notification the member has now is read; later ones will be unread again."""
    newest = db.session.scalar(select(func.max(Notification.id)).where(Notification.shop_id.in_(shop_ids))) \
        if shop_ids else None
    if newest is not None:
        table = NotificationMark.__table__
        insert = dialect_insert(db.session, table).values(user_id=user.id, last_notification_id=newest)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["user_id"], set_={"last_notification_id": insert.excluded.last_notification_id}))
    db.session.execute(update(MemberNotice).where(MemberNotice.user_id == user.id, MemberNotice.read_at.is_(None))
                       .values(read_at=now))
