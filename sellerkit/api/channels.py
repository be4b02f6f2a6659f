"""API endpoints for channels: list, connect, read, change, remove, test the connection, fetch now. Secrets are
write-only: no answer ever contains one."""
from flask import g, jsonify, request

from sellerkit.api.core import ApiError, bp, json_body
from sellerkit.channels import domain, services
from sellerkit.channels.kinds import kind_named
from sellerkit.channels.labels import error_message
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops

CREATE_FIELDS = ("kind", "name", "settings")
PATCH_FIELDS = ("name", "settings", "paused")


def _moment(value):
    return value.isoformat() if value else None


def channel_json(channel):
    kind = kind_named(channel.kind)
    secret_names = {field.name for field in kind.fields if field.secret} if kind else set()
    return {
        "id": channel.id, "shop_id": channel.shop_id, "kind": channel.kind, "name": channel.name,
        "status": domain.state_of(channel),
        # Only what is not secret is stored in settings; the filter keeps a kind that changed its fields honest.
        "settings": {name: value for name, value in (channel.settings or {}).items() if name not in secret_names},
        "has_secrets": bool(channel.secrets),
        "stats": {
            "last_success_at": _moment(channel.last_success_at),
            "last_error": {"code": channel.last_error_code, "message": str(error_message(channel.last_error_code)),
                           "at": _moment(channel.last_error_at)} if channel.last_error_code else None,
            "failing_since": _moment(channel.failing_since),
            "next_fetch_at": _moment(channel.next_fetch_at),
            "fetched_today": domain.fetched_today(channel.fetched_today, channel.fetched_day, utcnow()),
            "backlog": channel.backlog,
        },
        "created_at": _moment(channel.created_at), "updated_at": _moment(channel.updated_at),
    }


def _settings(data):
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ApiError(_("Some fields have the wrong type."), fields={"settings": _("This value is not valid.")})
    return settings


def _text(data, name):
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(_("Some fields have the wrong type."), fields={name: _("This field must be text.")})
    return value


def _owned(channel_id):
    membership, channel = services.channel_for(g.api_user, channel_id)
    shops.require_owner(membership)
    return membership, channel


@bp.get("/shops/<int:shop_id>/channels")
def list_channels(shop_id):
    shop = shops.membership_for(g.api_user, shop_id).shop
    return jsonify({"channels": [channel_json(channel) for channel in services.channels_of(shop)]})


@bp.post("/shops/<int:shop_id>/channels")
def create_channel(shop_id):
    membership = shops.membership_for(g.api_user, shop_id)
    shops.require_owner(membership)
    data = json_body(allowed=CREATE_FIELDS, required=("kind",))
    channel = services.create_channel(membership, utcnow(), kind=_text(data, "kind"), name=_text(data, "name"),
                                      values=_settings(data))
    db.session.commit()
    return jsonify(channel_json(channel)), 201


@bp.get("/channels/<int:channel_id>")
def get_channel(channel_id):
    _membership, channel = services.channel_for(g.api_user, channel_id)
    return jsonify(channel_json(channel))


@bp.patch("/channels/<int:channel_id>")
def patch_channel(channel_id):
    """Change the name or settings (a secret left out or empty keeps the stored one), or pause and resume."""
    membership, channel = _owned(channel_id)
    data = json_body(allowed=PATCH_FIELDS)
    paused = data.get("paused")
    if paused is not None and not isinstance(paused, bool):
        raise ApiError(_("Some fields have the wrong type."), fields={"paused": _("This value is not valid.")})
    now = utcnow()
    if "name" in data or "settings" in data:
        services.update_channel(membership, channel, now, name=_text(data, "name"), values=_settings(data))
    if paused is True and not channel.is_paused:
        services.pause(membership, channel, now)
    elif paused is False and channel.is_paused:
        services.resume(membership, channel, now)
    db.session.commit()
    return jsonify(channel_json(channel))


@bp.delete("/channels/<int:channel_id>")
def delete_channel(channel_id):
    membership, channel = _owned(channel_id)
    services.delete_channel(membership, channel)
    db.session.commit()
    return "", 204


@bp.post("/channels/<int:channel_id>/test")
def test_channel(channel_id):
    """Test the stored settings, or these `settings` over them (nothing is saved): one check per step."""
    membership, channel = _owned(channel_id)
    data = json_body(allowed=("settings",)) if request.get_data() else {}
    checks = services.test_connection(membership, utcnow(), kind=channel.kind, values=_settings(data),
                                      channel=channel)
    db.session.rollback()
    return jsonify({"ok": all(check.ok for check in checks),
                    "checks": [{"step": check.step, "ok": check.ok, "message": str(check.message)}
                               for check in checks]})


@bp.post("/channels/<int:channel_id>/fetch")
def fetch_channel(channel_id):
    """Due at once: the next poll sweep fetches it (a paused channel is resumed)."""
    membership, channel = _owned(channel_id)
    services.fetch_now(membership, channel, utcnow())
    db.session.commit()
    return jsonify(channel_json(channel)), 202
