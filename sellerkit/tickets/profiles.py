"""Platform support profiles: each marketplace's ticket categories, statuses, limits and rules, read from TOML."""
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path

from sellerkit.collation import sort_key
from sellerkit.tickets.vocabulary import (  # the file's vocabulary, which the rest of sellerkit imports from here
    OTHER_SUFFIX,
    PROBLEM_TOPICS,
)

OPEN_LIFECYCLES = ("new", "in_review", "awaiting_details", "answered")
#: The profile used for a platform that has none of its own.
FALLBACK_PLATFORM = "generic"

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
class Profile:
    """How one platform's support takes tickets."""

    platform: str
    name: str
    #: channel ("chat", "email", "web_form") -> text or address; channels the platform lacks are absent.
    contact: dict
    #: The [limits] table (profile_schema.Limits).
    limits: object
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


def parse_profile(data):
    """The profile a parsed TOML document describes; ProfileError names the first problem and where it is."""
    # Imported here: pydantic and the file's models are needed only while profiles are read, which a web worker
    # does once and not before the first page about tickets or disputes.
    from pydantic import ValidationError

    from sellerkit.tickets.profile_schema import ProfileDocument, first_problem

    try:
        document = ProfileDocument.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(first_problem(exc, data)) from exc
    rules = document.rules
    categories = tuple(Category(entry.key, entry.names.model_dump(),
                                tuple(Topic(topic.key, topic.names.model_dump()) for topic in entry.topics))
                       for entry in document.categories)
    offered = {topic.key for category in categories for topic in category.topics}
    chosen = document.problems.model_dump(exclude_none=True)
    return Profile(
        platform=document.platform,
        name=document.name,
        contact=document.contact.model_dump(exclude_none=True),
        limits=document.limits,
        same_topic_interval=timedelta(minutes=rules.same_topic_interval_minutes),
        auto_close_after=timedelta(days=rules.auto_close_after_days) if rules.auto_close_after_days else None,
        auto_close_from=rules.auto_close_from,
        rating=rules.rating,
        required_fields=rules.required_fields,
        statuses=document.statuses.model_dump(),
        categories=categories,
        # A problem the table leaves out suggests its usual topic, where the profile has it.
        problems={problem: chosen.get(problem, usual) for problem, usual in PROBLEM_TOPICS.items()
                  if chosen.get(problem, usual) in offered},
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
