"""The settings form of a channel, made from its kind's fields: every kind gets the same form for free."""
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l

KEEP_SECRET = _l("Saved. Leave empty to keep it.")
FIELD_TYPES = {"text": StringField, "password": PasswordField, "int": IntegerField, "select": SelectField,
               "url": URLField, "email": EmailField}
MAX_TEXT = 500


def _field(kind_field, editing):
    description = KEEP_SECRET if kind_field.secret and editing else kind_field.help
    required = kind_field.required and not (kind_field.secret and editing)
    render_kw = {"required": True} if required else {}
    if kind_field.secret:
        render_kw["autocomplete"] = "new-password"
    validators = [Optional()]
    if kind_field.type == "int":
        validators.append(NumberRange(min=0, max=2 ** 31 - 1, message=_l("Enter a whole number.")))
        render_kw["inputmode"] = "numeric"
    else:
        validators.append(Length(max=MAX_TEXT, message=_l("This text is too long.")))
    if kind_field.type in ("url", "email", "int") or kind_field.secret:
        render_kw["dir"] = "ltr"  # addresses, ports and keys read left to right in Persian pages too
    elif kind_field.type == "text":
        render_kw["dir"] = "auto"  # a host name or a folder keeps its own direction
    options = {"validators": validators, "description": description, "render_kw": render_kw}
    if kind_field.type == "select":
        options["choices"] = [SelectChoice(value, label) for value, label in kind_field.choices]
    return FIELD_TYPES.get(kind_field.type, StringField)(kind_field.label, **options)


def _shown_fields(kind, editing):
    """The kind's fields the form asks for: all when connecting, those that still matter when editing."""
    return [kind_field for kind_field in kind.fields if not (editing and kind_field.first_only)]


def channel_form(kind, editing=False, **kwargs):
    """A form with a name, the kind's fields (secrets blank, "leave empty to keep" when editing), a base URL where
    the platform takes one, and the two buttons: test the connection, save."""
    class Form(BaseForm):
        # Translators: the name a seller gives a channel (such as "Support mailbox").
        name = StringField(_l("Name"), validators=[Optional(), Length(max=100, message=_l("This text is too long."))],
                           description=_l("How this channel is called in sellerkit, such as the mailbox address."))
        test = SubmitField(_l("Test connection"))
        save = SubmitField(_l("Save"))

    shown = _shown_fields(kind, editing)
    for kind_field in shown:
        setattr(Form, kind_field.name, _field(kind_field, editing))
    if kind.has_base_url:
        Form.base_url = URLField(_l("Server address"), validators=[Optional(), Length(max=MAX_TEXT)],
                                 description=_l("Only for a sandbox or a server of your own; leave empty otherwise."),
                                 render_kw={"dir": "ltr"})
    form = Form(**kwargs)
    form.kind_fields = [form[kind_field.name] for kind_field in shown] + \
        ([form.base_url] if kind.has_base_url else [])
    return form


def submitted_values(form, kind):
    """The kind's settings as the form sent them (a blank secret means: keep the saved one)."""
    values = {field.name: form[field.name].data for field in kind.fields if field.name in form}
    if kind.has_base_url:
        values["base_url"] = form.base_url.data
    return values
