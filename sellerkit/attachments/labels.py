"""The words for a file that was not kept: why, naming the file as its sender named it."""
from sellerkit.i18n import lazy_gettext as _l


def megabytes(size):
    return max(1, size // (1024 * 1024))


def refusal_text(reason, name, allowance):
    """Why a file was not kept (a RefusedFile's reason and allowance, or a refusal about to be raised)."""
    if reason == "file_type":
        return _l("%(name)s is not an allowed file type (images, PDF, text and office documents are).", name=name)
    if reason == "file_too_large":
        return _l("%(name)s is larger than %(size)s MB, the limit for one file.", name=name, size=megabytes(allowance))
    if reason == "message_too_large":
        return _l("%(name)s was not kept: with it the files would be larger than %(size)s MB, the limit for one "
                  "message.", name=name, size=megabytes(allowance))
    return _l("%(name)s was not kept: at most %(count)s files are kept per message.", name=name, count=allowance)


def init_app(app):
    app.jinja_env.filters["refusal"] = lambda refused: refusal_text(refused.reason, refused.filename,
                                                                    refused.allowance)
