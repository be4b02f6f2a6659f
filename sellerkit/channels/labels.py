"""What the seller reads about a channel: its state and each failure code, translated."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import pgettext

STATES = ("active", "paused", "failing")

ERROR_MESSAGES = {
    "auth": _l("The login was refused: check the user name and the password or key."),
    "network": _l("The server could not be reached: check its address and port, or wait until it is back."),
    "dns": _l("The server's name was not found: check its address."),
    "tls": _l("The secure connection failed: the server's certificate is not trusted or does not match its name."),
    "rate_limited": _l("The platform asked us to slow down: fetching resumes by itself."),
    "not_allowed": _l("The platform does not allow this for the account or its plan."),
    "folder": _l("The folder was not found on the server."),
    "key": _l("The saved credentials cannot be read any more: enter them again."),
    "unknown_kind": _l("This kind of channel is not available in this installation."),
    "server": _l("The platform answered with an error: fetching is tried again later."),
}
UNKNOWN_ERROR = _l("Fetching failed: it is tried again later.")


def error_message(code, kind=None):
    """The words for a failure `code`: the kind's own (a marketplace's key is "revoked or lacks the chat
    permission", a mailbox's login is refused), else the layer's."""
    if not code:
        return ""
    return getattr(kind, "error_messages", {}).get(code) or ERROR_MESSAGES.get(code, UNKNOWN_ERROR)


def state_label(state):
    # Translators: the state of a channel that fetches buyer messages.
    labels = {"active": pgettext("channel state", "Active"),
              # Translators: the state of a channel that the seller paused.
              "paused": pgettext("channel state", "Paused"),
              # Translators: the state of a channel whose last fetches failed.
              "failing": pgettext("channel state", "Failing")}
    return labels[state]


STEP_LABELS = {
    "dns": _l("Server name"),
    "network": _l("Connection"),
    "server": _l("Connection"),
    "tls": _l("Secure connection"),
    # Translators: a step of a connection test: signing in to the server with the user name and password.
    "login": _l("Login"),
    "auth": _l("Login"),
    "folder": _l("Folder"),
    "send": _l("Sending"),
    "key": _l("Saved credentials"),
}


def step_label(step):
    return STEP_LABELS.get(step, step)
