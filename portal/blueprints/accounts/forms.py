"""Account forms. They validate; the views and services save."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.blueprints.accounts.models import PAY_BANDS, REGIONS, STAFF_GROUPS, User
from portal.blueprints.accounts.passwords import TOO_COMMON, is_common

PASSWORD_RULES = "Use at least 10 characters. A few unrelated words make a strong password."


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _email_field(label="Email address"):
    return EmailField(label, validators=[
        InputRequired("Enter your email address"),
        Length(max=254, message="Email address must be 254 characters or fewer"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk",
              check_deliverability=False),
    ])


def _not_common(form, field):
    if field.data and is_common(field.data):
        raise ValidationError(TOO_COMMON)


def _new_password_fields(label="Password"):
    password = PasswordField(label, description=PASSWORD_RULES, validators=[
        InputRequired("Enter a password"),
        Length(min=10, max=200, message="Password must be between 10 and 200 characters"),
        _not_common,
    ])
    confirm = PasswordField("Confirm password", validators=[
        InputRequired("Confirm your password"),
        EqualTo("password", message="The passwords do not match"),
    ])
    return password, confirm


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[
        InputRequired("Enter your full name"),
        Length(max=120, message="Name must be 120 characters or fewer")])
    email = _email_field()
    password, confirm = _new_password_fields()
    newsletter = BooleanField("Email me the newsletter", description=(
        "News, articles, resources and webinars from the programme team. Every issue has a "
        "link that stops it."))

    def validate_email(self, field):
        if User.by_email(field.data) is not None:
            raise ValidationError("An account with this email address already exists. "
                                  "Log in, or reset your password.")


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])
    remember = BooleanField("Keep me logged in on this device")


class EmailOnlyForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields("New password")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[InputRequired("Enter your current password")])
    password, confirm = _new_password_fields("New password")


def _choices(values):
    return [SelectChoice("", "Choose one")] + [SelectChoice(v, v) for v in values]


class ProfileForm(FlaskForm):
    name = StringField("Full name", validators=[
        InputRequired("Enter your full name"),
        Length(max=120, message="Name must be 120 characters or fewer")])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=160)],
                               description="For example, the trust or board you work for")
    team = StringField("Team or department", validators=[Optional(), Length(max=160)],
                       description="Mentoring programmes use it so that you are not paired "
                                   "with someone from your own team")
    manager_email = EmailField("Your line manager's email address", validators=[
        Optional(), Length(max=254, message="Email address must be 254 characters or fewer"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk",
              check_deliverability=False)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description="So that you are never paired with your manager, or with someone you "
                    "manage")
    job_title = StringField("Job title", validators=[Optional(), Length(max=160)])
    staff_group = SelectField("Staff group", choices=_choices(STAFF_GROUPS),
                              validators=[Optional()])
    pay_band = SelectField("Pay band", choices=_choices(PAY_BANDS), validators=[Optional()])
    region = SelectField("Region", choices=_choices(REGIONS), validators=[Optional()])
    bio = TextAreaField("About you", validators=[
        Optional(), Length(max=1000, message="About you must be 1,000 characters or fewer")],
        description="A few lines that mentors, mentees and peers will see")
    specialisms = StringField("Specialisms", validators=[
        Optional(), Length(max=500, message="Specialisms must be 500 characters or fewer")],
        description="Separate them with commas, for example: finance, IT, coaching")
    topics = MultiCheckboxField("Topics of interest", coerce=int, validators=[Optional()])

