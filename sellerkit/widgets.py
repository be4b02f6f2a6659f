"""WTForms' standard widgets with a quicker attribute writer: the same HTML, without a Markup.format per attribute.

WTForms writes each attribute through Markup.format, a Python string formatter: about 12 µs an attribute, and a
conversation page writes some seventy of them. forms.BaseForm renders every field through `quick_widget`.
"""
from functools import cache

from markupsafe import Markup, escape
from wtforms.widgets import Input, Select, TextArea
from wtforms.widgets.core import clean_key


def html_params(**attributes):
    """WTForms' html_params, written directly: sorted names, True as a bare name, False left out, values escaped
    (and quotes inside values given as Markup too)."""
    written = []
    for name, value in sorted(attributes.items()):
        if value is False:
            continue
        name = escape(clean_key(name))
        # escape() leaves Markup values as they are; a quote inside one would still end the attribute.
        written.append(name if value is True else f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(written))


def _with_flags(widget, field, attributes):
    """The field's own constraints (required, maxlength ...) that the widget writes and the caller did not set."""
    flags = field.flags
    for name in widget.validation_attrs:
        if name not in attributes:
            value = getattr(flags, name)
            if value is not None:
                attributes[name] = value() if callable(value) else value
    return attributes


class QuickTextArea(TextArea):
    def __call__(self, field, **attributes):
        attributes.setdefault("id", field.id)
        written = html_params(name=field.name, **_with_flags(self, field, attributes))
        return Markup(f"<textarea {written}>\r\n{escape(field._value())}</textarea>")


class QuickSelect(Select):
    """A single select whose options (with no attributes of their own) are written directly."""

    def __call__(self, field, **attributes):
        attributes.setdefault("id", field.id)
        html = [f"<select {html_params(name=field.name, **_with_flags(self, field, attributes))}>"]
        if field.has_groups():
            for group, choices in field._iter_groups_normalized():
                if group is not None:
                    html.append(f"<optgroup {html_params(label=group)}>")
                html.extend(self.render_option(choice) for choice in choices)
                if group is not None:
                    html.append("</optgroup>")
        else:
            html.extend(self.render_option(choice) for choice in field._iter_choices_normalized())
        html.append("</select>")
        return Markup("".join(html))

    @classmethod
    def render_option(cls, choice, **attributes):
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        options = {"value": value, **(choice.render_kw or {}), **attributes}
        if choice.selected:
            options["selected"] = True
        return Markup(f"<option {html_params(**options)}>{escape(choice.label or choice.value)}</option>")


QUICK_TEXTAREA = QuickTextArea()
QUICK_SELECT = QuickSelect()


@cache
def _quick_input_class(kind):
    # WTForms' inputs write their attributes through self.html_params, which a subclass may replace.
    return type(f"Quick{kind.__name__}", (kind,), {"html_params": staticmethod(html_params)})


def quick_widget(widget):
    """The quicker equivalent of one of WTForms' standard widgets; any other widget is returned as it is."""
    kind = type(widget)
    if kind is TextArea:
        return QUICK_TEXTAREA
    if kind is Select and not widget.multiple:
        return QUICK_SELECT
    if isinstance(widget, Input) and kind.__module__.startswith("wtforms."):
        quick = object.__new__(_quick_input_class(kind))
        quick.__dict__.update(widget.__dict__)  # an input_type given to the widget, if any
        return quick
    return widget
