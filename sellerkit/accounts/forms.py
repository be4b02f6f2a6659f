"""Account forms: sign-up, login, passwords, profile and API tokens."""
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from sellerkit.forms import BaseForm
from sellerkit.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")


class SignUpForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    display_name = StringField(_l("Your name"), validators=[Length(max=100)],
                               description=_l("Shown to your team, and to buyers where a reply signs with it."))
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters."))


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)],
                                 description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(REQUIRED), EqualTo("new_password", _l("The two passwords do not match."))])


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The two passwords do not match."))])


class ProfileForm(BaseForm):
    display_name = StringField(_l("Your name"), validators=[Length(max=100)])
    locale = SelectField(_l("Language"), description=_l("The language of menus and messages."))
    timezone = SelectField(_l("Timezone"), description=_l("Dates and times are shown in this timezone."))


class ApiTokenForm(BaseForm):
    name = StringField(_l("Token name"), validators=[DataRequired(REQUIRED), Length(max=100)],
                       description=_l("What will use it, for example: my Etsy importer."))


class LanguageForm(BaseForm):
    locale = SelectField(_l("Language"))
    #: The page to return to after the switch.
    next = HiddenField()
