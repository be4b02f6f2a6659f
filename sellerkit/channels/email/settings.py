"""The settings of an e-mail channel: its fields, their rules (a pydantic model with translated errors), presets."""
import re

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sellerkit.channels.email import labels
from sellerkit.channels.kinds import Field
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.netguard import is_loopback

SECURITY = ("tls", "starttls", "none")
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                   r"[A-Za-z0-9])?)*\.?$")
_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}$")

SECURITY_CHOICES = (
    ("tls", _l("TLS (encrypted from the start)")),
    ("starttls", _l("STARTTLS (encrypted after connecting)")),
    ("none", _l("None (only for a server on this computer)")),
)

#: How much of the mail already in the folder the first fetch brings, in days.
HISTORY_CHOICES = (
    ("0", _l("None: only mail that arrives from now on")),
    ("7", _l("The last 7 days")),
    ("30", _l("The last 30 days")),
    ("90", _l("The last 90 days")),
)

FIELDS = (
    Field("address", _l("E-mail address"), type="email",
          help=_l("The address your buyers write to. Only mail sent to it becomes conversations.")),
    Field("imap_host", _l("Incoming mail server (IMAP)")),
    Field("imap_port", _l("IMAP port"), type="int", default=993),
    Field("imap_security", _l("IMAP encryption"), type="select", default="tls", choices=SECURITY_CHOICES),
    Field("username", _l("User name"), help=_l("Usually the e-mail address itself.")),
    Field("password", _l("Password"), type="password", secret=True,
          help=_l("With Gmail, Outlook.com, Yandex and Mail.ru use an app password, not your account password.")),
    Field("folder", _l("Folder"), required=False, default="INBOX"),
    Field("smtp_host", _l("Outgoing mail server (SMTP)")),
    Field("smtp_port", _l("SMTP port"), type="int", default=587),
    Field("smtp_security", _l("SMTP encryption"), type="select", default="starttls", choices=SECURITY_CHOICES),
    Field("smtp_username", _l("SMTP user name"), required=False,
          help=_l("Leave both SMTP fields empty for a server that needs no login.")),
    Field("smtp_password", _l("SMTP password"), type="password", required=False, secret=True),
    Field("history_days", _l("Import past mail"), type="select", required=False, default="7",
          choices=HISTORY_CHOICES, first_only=True,
          help=_l("Mail of these days already in the folder comes in as history: it gets no automatic reply.")),
)

#: What the seller sees for each way a setting can be wrong, by the error's type.
ERRORS = {
    "missing": _l("This field is required."),
    "address": _l("Enter an e-mail address, such as shop@example.com."),
    "host": _l("Enter a server name, such as imap.example.com."),
    "port": _l("Enter a port number from 1 to 65535."),
    "security": _l("Choose one of the listed options."),
    "plain_remote": labels.ERRORS["plain_remote"],
    "folder": _l("Enter the name of a folder of the mailbox, such as INBOX."),
    "smtp_login": _l("Fill in both the SMTP user name and the SMTP password, or leave both empty."),
}


def _problem(code, **context):
    """A validation error whose type is `code` and whose message is already in the seller's language, for a layer
    that shows pydantic's own messages; `context` may name the field it is about."""
    return PydanticCustomError(code, str(ERRORS[code]).replace("{", "{{").replace("}", "}}"), context)


class EmailSettings(BaseModel):
    """All settings of an e-mail channel, secrets included, checked together."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    address: str
    imap_host: str
    imap_port: int = 993
    imap_security: str = "tls"
    username: str
    password: str
    folder: str = "INBOX"
    smtp_host: str
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""

    @field_validator("address")
    @classmethod
    def _address(cls, value):
        if not _ADDRESS.match(value) or "." not in value.rpartition("@")[2]:
            raise _problem("address")
        return value.lower()

    @field_validator("imap_host", "smtp_host")
    @classmethod
    def _host(cls, value):
        if not (_HOST.match(value) or is_loopback(value)):
            raise _problem("host")
        return value.lower()

    @field_validator("imap_port", "smtp_port", mode="before")
    @classmethod
    def _port(cls, value):
        try:
            port = int(str(value).strip())
        except ValueError:
            raise _problem("port") from None
        if not 1 <= port <= 65535:
            raise _problem("port")
        return port

    @field_validator("imap_security", "smtp_security")
    @classmethod
    def _security(cls, value):
        if value not in SECURITY:
            raise _problem("security")
        return value

    @field_validator("username", "password")
    @classmethod
    def _filled(cls, value):
        if not value:
            raise _problem("missing")
        return value

    @field_validator("folder", mode="before")
    @classmethod
    def _folder(cls, value):
        value = str(value or "").strip() or "INBOX"
        if len(value) > 200 or any(ch in value for ch in "\r\n\0"):
            raise _problem("folder")
        return value

    @model_validator(mode="after")
    def _together(self):
        for host, security, field in ((self.imap_host, self.imap_security, "imap_security"),
                                      (self.smtp_host, self.smtp_security, "smtp_security")):
            if security == "none" and not is_loopback(host):
                raise _problem("plain_remote", field=field)
        if bool(self.smtp_username) != bool(self.smtp_password):
            raise _problem("smtp_login", field="smtp_username")
        return self


def validate(data):
    """(EmailSettings, {}) for good settings, or (None, {field: translated message}) naming each one to fix."""
    try:
        return EmailSettings.model_validate(data), {}
    except ValidationError as exc:
        return None, settings_errors(exc)


def settings_errors(exc):
    """A pydantic ValidationError of EmailSettings as {field: translated message}."""
    errors = {}
    for error in exc.errors():
        context = error.get("ctx") or {}
        field = context.get("field") or (str(error["loc"][0]) if error["loc"] else "address")
        code = error["type"] if error["type"] in ERRORS else "missing"
        if error["type"] in ("int_parsing", "int_type"):
            code = "port"
        errors.setdefault(field, ERRORS[code])
    return errors


def _preset(imap_host, smtp_host, smtp_port, smtp_security):
    return {"imap_host": imap_host, "imap_port": 993, "imap_security": "tls", "folder": "INBOX",
            "smtp_host": smtp_host, "smtp_port": smtp_port, "smtp_security": smtp_security}


#: The common providers' servers; the seller adds the address, the user name and an app password.
PRESETS = {
    "gmail": (_l("Gmail"), _preset("imap.gmail.com", "smtp.gmail.com", 465, "tls")),
    "outlook": (_l("Outlook.com or Microsoft 365 (app password)"),
                _preset("outlook.office365.com", "smtp.office365.com", 587, "starttls")),
    "yandex": (_l("Yandex Mail"), _preset("imap.yandex.com", "smtp.yandex.com", 465, "tls")),
    "mailru": (_l("Mail.ru"), _preset("imap.mail.ru", "smtp.mail.ru", 465, "tls")),
    "custom": (_l("Another mail server"), {"imap_port": 993, "imap_security": "tls", "folder": "INBOX",
                                           "smtp_port": 587, "smtp_security": "starttls"}),
}
