"""Policy actions: edit a section's draft, publish it as a new version, and find the version an order agreed to."""
from flask import g
from sqlalchemy import select

from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.policies import domain
from sellerkit.policies.models import PolicyDraft, PolicyVersion
from sellerkit.replies.models import SavedReply, SavedReplyVariant
from sellerkit.shops.services import require_owner

PROBLEMS = {
    "range": _l("This value is outside what a policy can promise."),
    "choice": _l("Choose one of the listed options."),
    "type": _l("This value is not valid."),
    "unknown": _l("This value is not valid."),
}
RANGE_PROBLEMS = {
    "return_window_days": _l("The return window must be between 1 and %(max)s days.", max=domain.MAX_RETURN_WINDOW),
    "processing_days": _l("The processing time must be between 0 and %(max)s days.",
                          max=domain.MAX_PROCESSING_DAYS),
}


def content_of(row):
    return domain.PolicyContent(dict(row.options), row.free_text or "") if row else None


def check_section(section):
    if section not in domain.SECTIONS:
        raise NotFound(_l("There is no such policy section."))


def versions_of(shop_id, section):
    return db.session.scalars(select(PolicyVersion).where(PolicyVersion.shop_id == shop_id,
                                                          PolicyVersion.section == section)
                              .order_by(PolicyVersion.number.desc())).all()


def _published(shop_id):
    """Every published version of the shop, read once per request: the thread page needs both the current
    versions (for saved replies) and the ones an order was placed under."""
    cache = g.setdefault("policy_versions", {})
    if shop_id not in cache:
        cache[shop_id] = db.session.scalars(select(PolicyVersion).where(PolicyVersion.shop_id == shop_id)
                                            .order_by(PolicyVersion.section, PolicyVersion.number)).all()
    return cache[shop_id]


def current_versions(shop_id):
    """The current version of every published section: {section: PolicyVersion}."""
    return {row.section: row for row in _published(shop_id)}  # ordered by number: the last one stays


def version(shop_id, section, number):
    found = db.session.scalar(select(PolicyVersion).where(PolicyVersion.shop_id == shop_id,
                                                          PolicyVersion.section == section,
                                                          PolicyVersion.number == number))
    if found is None:
        raise NotFound(_l("This policy version does not exist."))
    return found


def draft_content(shop_id, section):
    """The draft being edited, else the current version, else the section's defaults."""
    draft = db.session.scalar(select(PolicyDraft).where(PolicyDraft.shop_id == shop_id,
                                                        PolicyDraft.section == section))
    if draft is not None:
        return content_of(draft)
    versions = versions_of(shop_id, section)
    return content_of(versions[0]) if versions else domain.PolicyContent(dict(domain.DEFAULT_OPTIONS[section]))


def save_draft(membership, section, options, free_text, now):
    """Keep the section's draft; owners only. Absurd values (a return window of -3 or 900 days) are refused."""
    require_owner(membership)
    check_section(section)
    problem = domain.options_problem(section, options)
    if problem:
        name, code = problem
        raise ServiceError(RANGE_PROBLEMS.get(name) if code == "range" else PROBLEMS[code], field=name)
    if len(free_text or "") > domain.MAX_FREE_TEXT:
        raise ServiceError(_l("This text is too long."), field="free_text")
    draft = db.session.scalar(select(PolicyDraft).where(PolicyDraft.shop_id == membership.shop_id,
                                                        PolicyDraft.section == section))
    if draft is None:
        draft = PolicyDraft(shop_id=membership.shop_id, section=section)
        db.session.add(draft)
    draft.options, draft.free_text = dict(options), (free_text or "").strip()
    draft.updated_at, draft.updated_by_id = now, membership.user_id
    db.session.flush()
    return draft


def publish(membership, section, now):
    """Publish the draft as the next version; the version never changes afterwards. An unchanged draft is refused."""
    require_owner(membership)
    check_section(section)
    draft = db.session.scalar(select(PolicyDraft).where(PolicyDraft.shop_id == membership.shop_id,
                                                        PolicyDraft.section == section))
    versions = versions_of(membership.shop_id, section)
    current = content_of(versions[0]) if versions else None
    if draft is None or domain.is_unchanged(content_of(draft), current):
        raise ServiceError(_l("Nothing changed since the current version, so there is nothing to publish."),
                           code="unchanged")
    published = PolicyVersion(shop_id=membership.shop_id, section=section,
                              number=(versions[0].number if versions else 0) + 1, options=dict(draft.options),
                              free_text=draft.free_text, published_at=now, published_by_id=membership.user_id)
    db.session.add(published)
    db.session.delete(draft)
    db.session.flush()
    g.pop("policy_versions", None)
    return published


def versions_for_order(shop_id, placed_at):
    """{section: the version in force when the order was placed}; an order imported with an old date gets the
    policy of that date, because versions are immutable and carry their publish time."""
    if placed_at is None:
        return {}
    by_section = {}
    for row in _published(shop_id):
        if row.published_at <= placed_at:
            by_section.setdefault(row.section, []).append(row)
    return {section: domain.version_in_force(found, placed_at) for section, found in by_section.items()}


def placeholder_values(shop_id):
    return domain.placeholder_values({s: content_of(v) for s, v in current_versions(shop_id).items()})


#: The saved-reply placeholder that quotes each section's value.
QUOTED_BY = {"returns": "return_window", "shipping": "processing_time"}


def replies_quoting(shop_id, section):
    """Shared saved replies that quote this section's value, so a change is seen everywhere at once."""
    name = QUOTED_BY.get(section)
    if not name:
        return []
    return db.session.scalars(select(SavedReply).where(
        SavedReply.shop_id == shop_id, SavedReply.owner_id.is_(None),
        SavedReply.id.in_(select(SavedReplyVariant.reply_id).where(
            SavedReplyVariant.body.like(f"%{{{name}%")))).order_by(SavedReply.title)).all()
