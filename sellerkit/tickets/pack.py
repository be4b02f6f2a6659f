"""The dispute pack: a ticket's title, description, transcript, policy versions and files, written from the facts
in the shop's language for the platform's support team."""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select

from sellerkit.attachments.models import Attachment
from sellerkit.extensions import db
from sellerkit.i18n import buyer_locale
from sellerkit.i18n import gettext as _
from sellerkit.localformat import moment_text
from sellerkit.policies import services as policies
from sellerkit.policies.rendering import SECTION_TITLES
from sellerkit.threads.models import Message

#: The transcript keeps the latest messages; support reads the start of a long conversation in the description.
TRANSCRIPT_MESSAGES = 50


@dataclass(frozen=True)
class Written:
    title: str
    description: str
    transcript: str
    policy_versions: dict
    attachments: list


def write(shop, thread, profile, category, topic, now):
    """Everything support asks for every time, from what the conversation and the order already know."""
    language = shop.default_language
    locale = buyer_locale(language)
    zone = ZoneInfo(shop.timezone)
    order, buyer = thread.order, thread.buyer
    messages = db.session.scalars(select(Message).where(Message.thread_id == thread.id, Message.kind != "note")
                                  .order_by(Message.posted_at.desc(), Message.id.desc())
                                  .limit(TRANSCRIPT_MESSAGES)).all()[::-1]
    versions = policies.versions_for_order(shop.id, order.placed_at) if order else {}

    def moment(value):
        if value is None:
            return "—"
        return moment_text(value, zone, locale)

    with force_locale(locale):
        subject = topic.name(language)
        title = _("Order %(reference)s: %(topic)s", reference=order.platform_order_ref, topic=subject) if order \
            else _("%(topic)s: buyer %(buyer)s", topic=subject, buyer=buyer.platform_buyer_id or buyer.display_name)
        facts = [(_("Shop"), shop.name), (_("Category"), category.name(language)), (_("Topic"), subject)]
        if order:
            facts += [(_("Order"), order.platform_order_ref), (_("Placed"), moment(order.placed_at)),
                      (_("Shipped"), moment(order.shipped_at)), (_("Delivered"), moment(order.delivered_at)),
                      (_("Tracking"), order.tracking_number or "—")]
        facts += [(_("Buyer's id on the platform"), buyer.platform_buyer_id or "—"),
                  (_("Buyer"), buyer.display_name or "—")]
        buyer_says = next((m.body for m in messages if m.direction == "in"), "")
        offered = next((m.body for m in reversed(messages) if m.kind == "reply"), "")
        lines = [f"{label}: {value}" for label, value in facts]
        lines += ["", _("What happened (the buyer's first message):"), buyer_says.strip() or "—",
                  "", _("What we offered (our latest reply):"), offered.strip() or "—"]
        if versions:
            lines += ["", _("Policies in force when the order was placed:")]
            lines += [f"- {SECTION_TITLES[section]}: " + _("version %(number)s of %(date)s", number=v.number,
                                                           date=moment(v.published_at))
                      for section, v in sorted(versions.items())]
        speaker = {"in": _("Buyer"), "out": _("Seller")}
        transcript = "\n\n".join(f"[{moment(m.posted_at)}] {speaker.get(m.direction, '')}:\n{m.body.strip()}"
                                 for m in messages)
    files = db.session.scalars(select(Attachment).join(Message, Message.id == Attachment.message_id)
                               .where(Message.thread_id == thread.id).order_by(Attachment.id)).all()
    return Written(title=title[:200], description="\n".join(lines), transcript=transcript,
                   policy_versions={section: v.number for section, v in versions.items()}, attachments=files)
