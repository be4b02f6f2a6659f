"""The error a service raises when an action is refused; views turn it into a message, the API into JSON."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.textguard import has_nul

#: The refusal of text with a NUL character (see textguard), wherever it is typed, uploaded or sent.
NUL_REFUSED = _l("Text cannot contain the NUL character.")


class ServiceError(Exception):
    """A refused action: `message` is already translated, `field` names the form field it belongs to."""

    def __init__(self, message, field=None, status=400, code="invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status
        self.code = code


class NotFound(ServiceError):
    """Missing, or not visible to this user: the two must look the same."""

    def __init__(self, message):
        super().__init__(message, status=404, code="not_found")


class Forbidden(ServiceError):
    def __init__(self, message):
        super().__init__(message, status=403, code="forbidden")


class InputError(ServiceError):
    """Malformed input from an integration; `fields` maps input names to what is wrong with each."""

    def __init__(self, message, status=400, code="invalid", fields=None):
        super().__init__(message, status=status, code=code)
        self.fields = fields or {}


def refuse_nul_fields(pairs):
    """Refuse (name, value) pairs, such as a JSON object's items or a query string's, when a name or a value
    has a NUL character: InputError naming each such field (without its NUL)."""
    names = [name for name, value in pairs if has_nul(name) or has_nul(value)]
    if names:
        raise InputError(NUL_REFUSED, fields={name.replace("\x00", ""): NUL_REFUSED for name in names})
