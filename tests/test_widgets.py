"""The quicker widgets write exactly the HTML of WTForms' own, for every field of every form of the app."""
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms.fields import SelectField, SelectMultipleField
from wtforms.widgets.core import html_params as wtforms_html_params

from sellerkit.forms import BaseForm
from sellerkit.widgets import html_params, quick_widget

NAMES = st.sampled_from(["id", "name", "class_", "for_", "data_used_replies", "aria_describedby", "aria-invalid",
                         "required", "maxlength", "placeholder", "value", "dir"])
VALUES = st.one_of(st.booleans(), st.integers(-5, 50_000), st.text(max_size=12),
                   st.text(max_size=12).map(Markup), st.sampled_from(['say "hi"', "<b>&amp;</b>", "it's"]))


@given(st.dictionaries(NAMES, VALUES, max_size=6))
def test_attributes_are_written_as_wtforms_writes_them(attributes):
    assert html_params(**attributes) == wtforms_html_params(**attributes)


def _all_forms(kind=BaseForm):
    for subclass in kind.__subclasses__():
        yield subclass
        yield from _all_forms(subclass)


def test_every_field_of_every_form_renders_as_before(app):
    compared = set()
    with app.test_request_context("/"):
        for form_class in _all_forms():
            form = form_class(formdata=None)
            for field in form:
                if isinstance(field, (SelectField, SelectMultipleField)) and field.choices is None:
                    field.choices = [("1", 'Option "A"'), ("2", "<B>")]
                original = type(field).widget if "widget" not in vars(field) else field.widget
                for attributes in ({}, {"aria_invalid": "true", "autofocus": True, "required": False}):
                    assert quick_widget(original)(field, **attributes) == original(field, **attributes), \
                        f"{form_class.__name__}.{field.name}"
                compared.add(type(original).__name__)
    # The widget kinds the app's pages use most are among those compared.
    assert {"TextInput", "TextArea", "Select", "HiddenInput", "PasswordInput", "CheckboxInput"} <= compared
