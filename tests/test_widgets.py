"""Fields are written by WTForms' own widgets, without the attributes a template leaves as None."""
from wtforms.fields import SelectField, SelectMultipleField

from sellerkit.forms import BaseForm


def _all_forms(kind=BaseForm):
    for subclass in kind.__subclasses__():
        yield subclass
        yield from _all_forms(subclass)


def test_every_field_of_every_form_is_written_by_wtforms_own_widget(app):
    with app.test_request_context("/"):
        for form_class in _all_forms():
            form = form_class(formdata=None)
            for field in form:
                if isinstance(field, (SelectField, SelectMultipleField)) and field.choices is None:
                    field.choices = [("1", 'Option "A"'), ("2", "<B>")]
                html = field(aria_invalid=None, autofocus=None, aria_describedby="hint")
                assert 'aria-describedby="hint"' in html, f"{form_class.__name__}.{field.name}"
                assert "None" not in html and "<B>" not in html, f"{form_class.__name__}.{field.name}"
                assert type(field.widget).__module__.startswith("wtforms."), f"{form_class.__name__}.{field.name}"
