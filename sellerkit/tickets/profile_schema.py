"""The support profile TOML file as pydantic models: its tables, their keys, and the rules between them."""
import re
from typing import Annotated, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sellerkit.tickets.vocabulary import LANGUAGES, LIFECYCLES, OTHER_SUFFIX, PROBLEM_TOPICS, REQUIRABLE_FIELDS

_KEY = re.compile(r"[a-z][a-z0-9_]*\Z")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")


def _problem(kind, template, **context):
    """A validation error in the profile's own words; `at` in the context is where it is below the failing value."""
    return PydanticCustomError(kind, template, context)


def _identifier(value):
    if not _KEY.match(value):
        raise _problem("identifier", '"{value}" must be lowercase ascii snake_case', value=value)
    return value


def _choices(allowed, noun):
    """A list of distinct strings, each one of `allowed`."""
    def check(values):
        for item in values:
            if item not in allowed:
                raise _problem("unknown_choice", 'unknown {noun} "{item}" (one of: {allowed})',
                               noun=noun, item=item, allowed=", ".join(allowed))
            if values.count(item) > 1:
                raise _problem("listed_twice", '"{item}" is listed twice', item=item)
        return values
    # Items of any type: one that is not a string is as unknown as a misspelt one.
    return Annotated[tuple[object, ...], AfterValidator(check)]


Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
Identifier = Annotated[Text, AfterValidator(_identifier)]
Whole = Annotated[int, Field(strict=True, ge=0)]


class Table(BaseModel):
    """A TOML table: a key the model does not name is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


#: {language: name}, with all six languages.
Names = create_model("Names", __base__=Table, **{language: (Text, ...) for language in LANGUAGES})
#: {lifecycle: Names}: the platform's name for each lifecycle.
Statuses = create_model("Statuses", __base__=Table, **{lifecycle: (Names, ...) for lifecycle in LIFECYCLES})
#: {problem: topic key}: the topic a dispute about the problem suggests.
Problems = create_model("Problems", __base__=Table,
                        **{problem: (Identifier | None, None) for problem in PROBLEM_TOPICS})


class Contact(Table):
    chat: Text | None = None
    email: Text | None = None
    web_form: Text | None = None

    @field_validator("email")
    @classmethod
    def _an_address(cls, value):
        if not _EMAIL.match(value):
            raise _problem("email", '"{value}" is not an e-mail address', value=value)
        return value

    @field_validator("chat", "web_form")
    @classmethod
    def _https_link(cls, value, info: ValidationInfo):
        if info.field_name == "chat" and not value.startswith("http"):
            return value  # a chat may be described in words: where in the seller panel it opens
        if urlsplit(value).scheme != "https" or not urlsplit(value).hostname:
            raise _problem("https", '"{value}" must be an https:// link', value=value)
        return value


class Limits(Table):
    """Attachment limits of a ticket: how many files, how large each, how large together (bytes)."""

    model_config = ConfigDict(frozen=True)

    max_files: Whole
    max_file_bytes: Whole
    max_total_bytes: Whole

    @model_validator(mode="after")
    def _one_file_fits_in_all(self):
        if self.max_file_bytes > self.max_total_bytes:
            raise _problem("file_over_total", "max_file_bytes ({file}) is larger than max_total_bytes ({total})",
                           file=self.max_file_bytes, total=self.max_total_bytes)
        return self


class Rules(Table):
    same_topic_interval_minutes: Whole
    auto_close_after_days: Whole
    auto_close_from: _choices(LIFECYCLES, "lifecycle")
    rating: Annotated[bool, Field(strict=True)]
    required_fields: _choices(REQUIRABLE_FIELDS, "field")

    @field_validator("auto_close_from")
    @classmethod
    def _closes_from_open_lifecycles(cls, lifecycles, info: ValidationInfo):
        for lifecycle in lifecycles:
            if lifecycle in ("closed", "cancelled"):
                raise _problem("ended", '"{lifecycle}" has already ended; a ticket cannot close from it',
                               lifecycle=lifecycle)
        if info.data.get("auto_close_after_days") and not lifecycles:
            raise _problem("nothing_closes", "is empty, but auto_close_after_days is set: name the lifecycles "
                                             "from which the ticket closes by itself")
        return lifecycles


class TopicEntry(Table):
    key: Identifier
    names: Names


class CategoryEntry(Table):
    key: Identifier
    names: Names
    topics: Annotated[tuple[TopicEntry, ...], Field(min_length=1)]


class ProfileDocument(Table):
    """One platform's support profile file."""

    platform: Identifier
    name: Text
    contact: Contact = Field(default_factory=Contact)
    limits: Limits
    rules: Rules
    problems: Problems = Field(default_factory=Problems)
    statuses: Statuses
    categories: Annotated[tuple[CategoryEntry, ...], Field(min_length=1)]

    @field_validator("categories")
    @classmethod
    def _keys_are_unique_and_categories_end_with_other(cls, categories):
        topic_homes = {}  # topic key -> category key: topic keys are unique in the whole profile
        for index, category in enumerate(categories):
            if any(other.key == category.key for other in categories[:index]):
                raise _problem("category_twice", "the key is used by two categories", at=(index,))
            for topic_index, topic in enumerate(category.topics):
                if topic.key in topic_homes:
                    raise _problem("topic_twice", 'duplicate topic key (also in category "{home}"); '
                                                  "topic keys are unique in the whole profile",
                                   home=topic_homes[topic.key], at=(index, "topics", topic_index))
                topic_homes[topic.key] = category.key
            other = category.key + OTHER_SUFFIX
            if topic_homes.get(other) != category.key:
                raise _problem("no_other", 'has no "{other}" topic (every category ends with its "other requests" '
                                           "topic)", other=other, at=(index,))
        return categories

    @model_validator(mode="after")
    def _problems_name_offered_topics(self):
        offered = {topic.key for category in self.categories for topic in category.topics}
        for problem, key in self.problems.model_dump(exclude_none=True).items():
            if key not in offered:
                raise _problem("not_a_topic", '"{key}" is not a topic of this profile',
                               key=key, at=("problems", problem))
        return self


#: The word before a missing key, in the tables whose keys are languages or lifecycles.
_MISSING_NOUN = {Names: "language ", Statuses: "lifecycle "}
#: The wording of pydantic's own error types; the profile's own errors (_problem) carry theirs.
_WORDING = {"string_type": "must be a non-empty string", "string_too_short": "must be a non-empty string",
            "bool_type": "must be true or false", "tuple_type": "must be a list of strings",
            "model_type": "must be a table"}
_LISTS = {"categories": ("category", ""), "topics": ("topic", ", ")}


def first_problem(error: ValidationError, data):
    """The first problem of a profile document that failed validation, as "where: what" in the profile's words.
    An unknown key comes first: a misspelt key is usually also why another one is missing."""
    found = min(error.errors(), key=lambda item: item["type"] != "extra_forbidden")
    kind, loc = found["type"], (*found["loc"], *found.get("ctx", {}).get("at", ()))
    field = loc[-1] if loc else None
    if field == "topics" and kind in ("missing", "tuple_type", "too_short"):
        loc, what = loc[:-1], "needs one or more [[categories.topics]] tables"
    elif field == "categories" and kind in ("tuple_type", "too_short"):
        what = "must be one or more [[categories]] tables"
    elif kind == "missing":
        loc, what = loc[:-1], f'missing {_MISSING_NOUN.get(_table_at(loc[:-1]), "")}"{field}"'
    elif kind == "extra_forbidden":
        loc, what = loc[:-1], f'unknown key "{field}" (expected: {", ".join(_table_at(loc[:-1]).model_fields)})'
    elif kind in ("int_type", "greater_than_equal"):
        what = f"must be a whole number, 0 or more, not {found['input']!r}"
    elif kind == "model_type" and not loc:
        what = "a profile must be a TOML table"
    elif kind == "model_type" and _table_at(loc[:-1]) is Statuses:
        what = "must be a table of names by language"
    else:
        what = _WORDING.get(kind, found["msg"])
    where = _where(loc, data)
    return f"{where}: {what}" if where else what


def _table_at(loc):
    """The model of the table at `loc` in a profile document, or None where no table is."""
    model = ProfileDocument
    for step in loc:
        if isinstance(step, int):
            continue  # an entry of a list: its model is the list's
        field = model.model_fields.get(step) if model else None
        if field is None:
            return None
        annotation = field.annotation
        candidates = get_args(annotation) if get_origin(annotation) else (annotation,)
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


def _where(loc, data):
    """A location as the profile's author knows it: `category "orders", topic "refund_request".names`; categories
    and topics are named by their keys, or by their position while their key is unusable."""
    where, node = "", data
    for index, step in enumerate(loc):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if step in _LISTS and isinstance(next(iter(loc[index + 1:]), None), int):
            continue  # named together with the entry's position, next
        if isinstance(step, int) and index and loc[index - 1] in _LISTS:
            plural = loc[index - 1]
            noun, separator = _LISTS[plural]
            key = node.get("key") if isinstance(node, dict) else None
            named = isinstance(key, str) and _KEY.match(key.strip())
            where += separator + (f'{noun} "{key.strip()}"' if named else f"{plural}[{step}]")
        elif isinstance(step, int):
            where += f"[{step}]"
        else:
            where += f".{step}" if where else step
    return where
