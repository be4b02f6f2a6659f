"""JSON from outside (request bodies, uploaded files, cursors): nesting deeper than any real document is malformed."""
import json

from flask.json.provider import DefaultJSONProvider

#: No body, file or cursor sellerkit reads nests deeper than a few levels; code that walks a value (textguard,
#: the serializers) recurses, so a value is refused well before Python's recursion limit.
MAX_DEPTH = 32


class TooDeep(ValueError):
    """The document nests more than MAX_DEPTH levels (a ValueError, as json's own errors are)."""


def loads(text):
    """json.loads for untrusted text: ValueError for malformed JSON, including nesting past MAX_DEPTH."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(f"JSON nested more than {MAX_DEPTH} levels") from None
    if depth(value) > MAX_DEPTH:
        raise TooDeep(f"JSON nested more than {MAX_DEPTH} levels")
    return value


def depth(value):
    """How many arrays and objects deep `value` goes, counted without recursion (so any depth can be measured)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with `loads` above: request.get_json(silent=True) gives None."""

    def loads(self, s, **kwargs):
        return loads(s)
