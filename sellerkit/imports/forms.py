"""The upload form of a message import."""
from wtforms import FileField

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l


class UploadForm(BaseForm):
    file = FileField(_l("File with messages"),
                     description=_l("CSV with a header line, or JSON Lines: one message as a JSON object per line."))
