"""Platform support profiles: each marketplace's ticket categories, statuses, limits and rules, read from TOML."""
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from sellerkit.collation import sort_key

LIFECYCLES = ("new", "in_review", "awaiting_details", "answered", "resolved", "closed", "cancelled")
OPEN_LIFECYCLES = ("new", "in_review", "awaiting_details", "answered")
LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")
#: The ticket fields a profile may insist on.
REQUIRABLE_FIELDS = ("title", "description", "category", "topic", "order_reference", "attachments")
CONTACT_CHANNELS = ("chat", "email", "web_form")
#: The profile used for a platform that has none of its own.
FALLBACK_PLATFORM = "generic"
#: Every category ends with a topic "<category key>_other" for requests that fit no other topic.
OTHER_SUFFIX = "_other"

_TOP_KEYS = ("platform", "name", "contact", "limits", "rules", "problems", "statuses", "categories")
#: The problems dispute rules name, and the topic each suggests where a profile's [problems] table does not say.
PROBLEM_TOPICS = {"not_received": "order_not_received", "damaged": "item_damaged",
                  "not_as_described": "not_as_described", "wrong_item": "wrong_item", "refund": "refund_request",
                  "cancel": "order_cancellation", "case": "case_opened", "chargeback": "chargeback"}
_LIMIT_KEYS = ("max_files", "max_file_bytes", "max_total_bytes")
_RULE_KEYS = ("same_topic_interval_minutes", "auto_close_after_days", "auto_close_from", "rating", "required_fields")
_KEY = re.compile(r"[a-z][a-z0-9_]*\Z")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")

#: Search folds what people type interchangeably: Arabic-keyboard yeh and kaf, and ё written as е.
_SEARCH_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ё": "е"})


class ProfileError(ValueError):
    """A support profile that cannot be used; the message says what is wrong and where."""


def _language(code):
    """"zh_Hans", "fa-IR" and "ru" all name a profile language by their first part."""
    return (code or "en").replace("-", "_").split("_")[0].lower()


def _localized(names, language):
    return names.get(_language(language)) or names["en"]


def _search_text(text):
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_SEARCH_FOLD)
    # Spaces and zero-width non-joiners are dropped: Persian writers use either, or none, inside one word.
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf")


@dataclass(frozen=True)
class Topic:
    key: str
    names: dict

    def name(self, language):
        return _localized(self.names, language)


@dataclass(frozen=True)
class Category:
    key: str
    names: dict
    topics: tuple

    def name(self, language):
        return _localized(self.names, language)


@dataclass(frozen=True)
class Limits:
    """Attachment limits of a ticket: how many files, how large each, how large together (bytes)."""

    max_files: int
    max_file_bytes: int
    max_total_bytes: int


@dataclass(frozen=True)
class Profile:
    """How one platform's support takes tickets."""

    platform: str
    name: str
    #: channel ("chat", "email", "web_form") -> text or address; channels the platform lacks are absent.
    contact: dict
    limits: Limits
    #: A new ticket on the same topic at most this often; zero means no limit.
    same_topic_interval: timedelta
    #: A ticket in one of `auto_close_from` closes by itself after this long; None means never.
    auto_close_after: timedelta | None
    auto_close_from: tuple
    #: Whether support asks for a 1-5 star rating with an optional comment.
    rating: bool
    required_fields: tuple
    #: lifecycle -> language -> the platform's own status name.
    statuses: dict
    categories: tuple
    #: problem (PROBLEM_TOPICS) -> the topic key a dispute about it suggests; problems without one are absent.
    problems: dict = field(default_factory=dict)
    #: The picker order per language, worked out once: sorting by letters is slow and the order never changes.
    _sorted: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def topic(self, key):
        """(Category, Topic) for a topic key, or None."""
        return next(((c, t) for c in self.categories for t in c.topics if t.key == key), None)

    def status_name(self, lifecycle, language):
        """The platform's name for a lifecycle; None for one it has no status for (a sellerkit draft)."""
        names = self.statuses.get(lifecycle)
        return _localized(names, language) if names else None

    def category_name(self, key, language):
        """The category's name in the language (else English); an unknown key is shown as itself."""
        category = next((c for c in self.categories if c.key == key), None)
        return category.name(language) if category else key

    def topic_name(self, key, language):
        """The topic's name in the language (else English); an unknown key is shown as itself."""
        found = self.topic(key)
        return found[1].name(language) if found else key

    def sorted_categories(self, language):
        """Categories alphabetically by their name in the language, each with its topics sorted the same way
        and its "other requests" topic last, as the platforms' own pickers list them."""
        language = _language(language)
        if language not in self._sorted:
            self._sorted[language] = self._sort_categories(language)
        return self._sorted[language]

    def _sort_categories(self, language):
        result = []
        for category in sorted(self.categories, key=lambda c: sort_key(c.name(language), language)):
            other = category.key + OTHER_SUFFIX
            topics = sorted(category.topics, key=lambda t: (t.key == other, sort_key(t.name(language), language)))
            result.append(replace(category, topics=tuple(topics)))
        return tuple(result)

    def search(self, query, language):
        """(Category, Topic) pairs whose topic or category name, in the language or in English, contains the
        query regardless of case; in picker order. An empty query finds every topic."""
        needle = _search_text(query or "")
        found = []
        for category in self.sorted_categories(language):
            in_category = any(needle in _search_text(category.name(lang)) for lang in (language, "en"))
            for topic in category.topics:
                if in_category or any(needle in _search_text(topic.name(lang)) for lang in (language, "en")):
                    found.append((category, topic))
        return found


def _fail(where, problem):
    raise ProfileError(f"{where}: {problem}" if where else problem)


def _known_keys(table, allowed, where):
    for key in table:
        if key not in allowed:
            _fail(where, f'unknown key "{key}" (expected: {", ".join(allowed)})')


def _at(where, key):
    return f"{where}.{key}" if where else key


def _get(table, key, where):
    if key not in table:
        _fail(where, f'missing "{key}"')
    return table[key]


def _table(data, key, where, required=True):
    if key not in data and not required:
        return {}
    if not isinstance(_get(data, key, where), dict):
        _fail(_at(where, key), "must be a table")
    return data[key]


def _text(table, key, where):
    value = _get(table, key, where)
    if not isinstance(value, str) or not value.strip():
        _fail(_at(where, key), "must be a non-empty string")
    return value.strip()


def _identifier(table, key, where):
    value = _text(table, key, where)
    if not _KEY.match(value):
        _fail(_at(where, key), f'"{value}" must be lowercase ascii snake_case')
    return value


def _whole(table, key, where):
    value = _get(table, key, where)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _fail(_at(where, key), f"must be a whole number, 0 or more, not {value!r}")
    return value


def _choices(table, key, where, allowed, noun):
    """A list of distinct strings, each one of `allowed`."""
    value = _get(table, key, where)
    if not isinstance(value, list):
        _fail(_at(where, key), "must be a list of strings")
    for item in value:
        if item not in allowed:
            _fail(_at(where, key), f'unknown {noun} "{item}" (one of: {", ".join(allowed)})')
        if value.count(item) > 1:
            _fail(_at(where, key), f'"{item}" is listed twice')
    return tuple(value)


def _names(table, where):
    """The table's {language: text} names, with all six languages."""
    return _name_table(_table(table, "names", where), f"{where}.names")


def _name_table(names, place):
    if not isinstance(names, dict):
        _fail(place, "must be a table of names by language")
    _known_keys(names, LANGUAGES, place)
    for language in LANGUAGES:
        if language not in names:
            _fail(place, f'missing language "{language}"')
        _text(names, language, place)
    return {language: names[language].strip() for language in LANGUAGES}


def _contact(data):
    contact = _table(data, "contact", "", required=False)
    _known_keys(contact, CONTACT_CHANNELS, "contact")
    result = {channel: _text(contact, channel, "contact") for channel in CONTACT_CHANNELS if channel in contact}
    if "email" in result and not _EMAIL.match(result["email"]):
        _fail("contact.email", f'"{result["email"]}" is not an e-mail address')
    for channel in ("web_form", "chat"):
        link = result.get(channel, "")
        if channel == "chat" and not link.startswith("http"):
            continue  # a chat may be described in words: where in the seller panel it opens
        if link and (urlsplit(link).scheme != "https" or not urlsplit(link).hostname):
            _fail(f"contact.{channel}", f'"{link}" must be an https:// link')
    return result


def _limits(data):
    table = _table(data, "limits", "")
    _known_keys(table, _LIMIT_KEYS, "limits")
    limits = Limits(*(_whole(table, key, "limits") for key in _LIMIT_KEYS))
    if limits.max_file_bytes > limits.max_total_bytes:
        _fail("limits", f"max_file_bytes ({limits.max_file_bytes}) is larger than max_total_bytes "
                        f"({limits.max_total_bytes})")
    return limits


def _rules(data):
    table = _table(data, "rules", "")
    _known_keys(table, _RULE_KEYS, "rules")
    interval = _whole(table, "same_topic_interval_minutes", "rules")
    days = _whole(table, "auto_close_after_days", "rules")
    close_from = _choices(table, "auto_close_from", "rules", LIFECYCLES, "lifecycle")
    for lifecycle in close_from:
        if lifecycle in ("closed", "cancelled"):
            _fail("rules.auto_close_from", f'"{lifecycle}" has already ended; a ticket cannot close from it')
    if days and not close_from:
        _fail("rules.auto_close_from", "is empty, but auto_close_after_days is set: name the lifecycles "
                                       "from which the ticket closes by itself")
    if not isinstance(_get(table, "rating", "rules"), bool):
        _fail("rules.rating", "must be true or false")
    required = _choices(table, "required_fields", "rules", REQUIRABLE_FIELDS, "field")
    return {
        "same_topic_interval": timedelta(minutes=interval),
        "auto_close_after": timedelta(days=days) if days else None,
        "auto_close_from": close_from,
        "rating": table["rating"],
        "required_fields": required,
    }


def _statuses(data):
    table = _table(data, "statuses", "")
    _known_keys(table, LIFECYCLES, "statuses")
    for lifecycle in LIFECYCLES:
        if lifecycle not in table:
            _fail("statuses", f'missing lifecycle "{lifecycle}"')
    return {lifecycle: _name_table(table[lifecycle], f"statuses.{lifecycle}") for lifecycle in LIFECYCLES}


def _categories(data):
    entries = _get(data, "categories", "")
    if not isinstance(entries, list) or not entries:
        _fail("categories", "must be one or more [[categories]] tables")
    categories, category_keys, topic_homes = [], set(), {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            _fail(f"categories[{index}]", "must be a table")
        key = _identifier(entry, "key", f"categories[{index}]")
        where = f'category "{key}"'
        if key in category_keys:
            _fail(where, "the key is used by two categories")
        category_keys.add(key)
        _known_keys(entry, ("key", "names", "topics"), where)
        names = _names(entry, where)
        topics = _topics(entry, key, where, topic_homes)
        if key + OTHER_SUFFIX not in {topic.key for topic in topics}:
            _fail(where, f'has no "{key}{OTHER_SUFFIX}" topic (every category ends with its "other requests" topic)')
        categories.append(Category(key, names, topics))
    return tuple(categories)


def _topics(entry, category_key, where, topic_homes):
    """The category's topics; `topic_homes` (topic key -> category key) keeps topic keys unique in the profile."""
    entries = entry.get("topics")
    if not isinstance(entries, list) or not entries:
        _fail(where, "needs one or more [[categories.topics]] tables")
    topics = []
    for index, topic_entry in enumerate(entries):
        if not isinstance(topic_entry, dict):
            _fail(f"{where}, topics[{index}]", "must be a table")
        key = _identifier(topic_entry, "key", f"{where}, topics[{index}]")
        topic_where = f'{where}, topic "{key}"'
        if key in topic_homes:
            _fail(topic_where, f'duplicate topic key (also in category "{topic_homes[key]}"); '
                               "topic keys are unique in the whole profile")
        topic_homes[key] = category_key
        _known_keys(topic_entry, ("key", "names"), topic_where)
        topics.append(Topic(key, _names(topic_entry, topic_where)))
    return tuple(topics)


def _problems(data, categories):
    """{problem: topic key}: the [problems] table, else the problem's usual topic where the profile has it."""
    table = _table(data, "problems", "", required=False)
    _known_keys(table, tuple(PROBLEM_TOPICS), "problems")
    offered = {topic.key for category in categories for topic in category.topics}
    problems = {}
    for problem, usual in PROBLEM_TOPICS.items():
        key = _identifier(table, problem, "problems") if problem in table else usual
        if key in offered:
            problems[problem] = key
        elif problem in table:
            _fail(f"problems.{problem}", f'"{key}" is not a topic of this profile')
    return problems


def parse_profile(data):
    """The profile a parsed TOML document describes; ProfileError names the first problem and where it is."""
    if not isinstance(data, dict):
        _fail("", "a profile must be a TOML table")
    _known_keys(data, _TOP_KEYS, "")
    categories = _categories(data)
    return Profile(
        platform=_identifier(data, "platform", ""),
        name=_text(data, "name", ""),
        contact=_contact(data),
        limits=_limits(data),
        **_rules(data),
        statuses=_statuses(data),
        categories=categories,
        problems=_problems(data, categories),
    )


def _read_directory(directory):
    """{platform: Profile} from the directory's *.toml files; two files for one platform are an error."""
    profiles, sources = {}, {}
    for entry in sorted(directory.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml") or entry.name.startswith(".") or not entry.is_file():
            continue
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ProfileError(f"{entry}: not a valid UTF-8 TOML file: {exc}") from exc
        except OSError as exc:
            raise ProfileError(f"{entry}: cannot be read: {exc}") from exc
        try:
            profile = parse_profile(data)
        except ProfileError as exc:
            raise ProfileError(f"{entry}: {exc}") from exc
        if profile.platform in sources:
            raise ProfileError(f'{entry}: platform "{profile.platform}" is already described in '
                               f"{sources[profile.platform]}")
        profiles[profile.platform] = profile
        sources[profile.platform] = entry.name
    return profiles


def load_profiles(extra_dir=None):
    """{platform: Profile}: the built-in profiles, each replaced by the operator's profile of the same platform
    in `extra_dir` (a missing directory is fine), which may also add platforms. Reads the files on every call;
    callers cache the result."""
    profiles = _read_directory(resources.files(__package__).joinpath("profiles"))
    if extra_dir is not None and Path(extra_dir).is_dir():
        profiles.update(_read_directory(Path(extra_dir)))
    if FALLBACK_PLATFORM not in profiles:
        raise ProfileError(f'no "{FALLBACK_PLATFORM}" profile: it is the fallback for every other platform')
    return profiles


def profile_for(profiles, platform):
    """The platform's profile, else the generic one."""
    return profiles.get(platform) or profiles[FALLBACK_PLATFORM]
