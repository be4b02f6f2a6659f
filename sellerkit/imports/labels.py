"""What an import says to the seller: why a file was refused, why a line was, why a whole import stopped."""
import re

from sellerkit.i18n import gettext as _
from sellerkit.i18n import lazy_gettext as _l

UPLOAD_PROBLEMS = {
    "no_file": _l("Choose a file to upload."),
    "format": _l("Upload a CSV file (.csv) or a JSON Lines file (.jsonl); this kind of file cannot be imported."),
    "binary": _l("This file is not text. Upload a CSV or JSON Lines file."),
    "encoding": _l("The file must be UTF-8 text. Save it again as UTF-8 (CSV UTF-8 in spreadsheet programs)."),
    "csv_header": _l("The first line of a CSV file must name its columns, and one of them must be “body”."),
    "jsonl": _l("Each line of a JSON Lines file must be one message as a JSON object, starting with “{”."),
    "empty": _l("The file is empty."),
}

FAILURES = {
    "file_missing": _l("The uploaded file is no longer on the server. Upload it again."),
    "unreadable": _l("The file could not be read to the end. The messages before the problem are imported."),
    "crashed": _l("The import stopped several times without finishing. The messages imported so far are kept."),
}

#: Reasons the importer gives in English for one line (threads.bulk and threads.importing), and how we say them.
_FIELD_PROBLEM = re.compile(r"^(\S+) (is required|is too long|needs a timezone|is not a known language|is not valid|"
                            r"contains a NUL character)$")


N_ = str
#: Keyed by the English words of the importer; each takes the field's name.
_FIELD_TEXTS = {
    "is required": N_("%(field)s: this field is required."),
    "is too long": N_("%(field)s: the text is too long."),
    "needs a timezone": N_("%(field)s: the time needs a timezone, such as +03:00 or Z."),
    "is not a known language": N_("%(field)s: this is not a language sellerkit knows."),
    "is not valid": N_("%(field)s: this value is not valid."),
    "contains a NUL character": N_("%(field)s: the text contains a NUL character."),
}


def reason_text(reason):
    """One refused line's reason in the current language; reasons the importer already translated stay as they are."""
    found = _FIELD_PROBLEM.match(reason)
    if found:
        return _(_FIELD_TEXTS[found.group(2)], field=found.group(1))
    if reason.startswith("not valid JSON"):
        return _("This line is not valid JSON.")
    if reason == "not a JSON object":
        return _("This line is not a JSON object.")
    return reason


def upload_problem(code, max_mb):
    if code == "too_large":
        return _("The file is larger than %(size)s MB. Split it into smaller files and upload them one by one.",
                 size=max_mb)
    return str(UPLOAD_PROBLEMS[code])


def failure_text(code):
    return FAILURES.get(code, FAILURES["unreadable"])
