"""Two-factor sign-in forms."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length


class SecondFactorForm(FlaskForm):
    code = StringField("Security code", validators=[
        InputRequired("Enter the code from your authenticator app, or a recovery code"),
        Length(max=40, message="Enter the 6-digit code, or a recovery code like abcde-fghij")],
        description="The 6-digit code your authenticator app shows now, or one of your "
                    "recovery codes if you do not have your phone")


class ConfirmSetupForm(FlaskForm):
    code = StringField("Code from your app", validators=[
        InputRequired("Enter the 6-digit code your app shows"),
        Length(max=20, message="Enter the 6-digit code your app shows")],
        description="After you add the account, your app shows a 6-digit code that changes "
                    "every 30 seconds")


class PasswordConfirmForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired("Enter your password")])
