"""Staff forms: roles, suspensions and groups."""
import datetime as dt
import zoneinfo

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from portal import branding
from portal.blueprints.accounts.models import ROLE_LABELS, ROLES, User
from portal.groups import Group
from portal.settings import SPECS
from portal.uploads import UploadRejected


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[InputRequired("Choose a role")])


class SuspendForm(FlaskForm):
    until = DateField("Suspended until", validators=[
        InputRequired("Enter the date the suspension ends, like 2027-03-31")],
        description="The person can log in again from this date")
    reason = TextAreaField("Reason", validators=[
        InputRequired("Enter the reason, which the person will see"),
        Length(max=500, message="Reason must be 500 characters or fewer")])

    def validate_until(self, field):
        if field.data is not None and field.data <= dt.date.today():
            raise ValidationError("The end date must be in the future")


class GroupForm(FlaskForm):
    name = StringField("Group name", validators=[
        InputRequired("Enter a name for the group"),
        Length(max=120, message="Group name must be 120 characters or fewer")],
        description='For example, "Mentors" or "Return to Work 2027 cohort"')
    description = TextAreaField("Description", validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._group = group

    def validate_name(self, field):
        existing = Group.get_or_none(Group.name == field.data.strip())
        if existing is not None and (self._group is None or existing.id != self._group.id):
            raise ValidationError("A group with this name already exists")


class AddMemberForm(FlaskForm):
    email = EmailField("Email address of the person to add", validators=[
        InputRequired("Enter the email address of the person to add"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk",
              check_deliverability=False)])

    def validate_email(self, field):
        self.person = User.by_email(field.data)
        if self.person is None:
            raise ValidationError("Nobody with this email address has an account")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name or email", validators=[Optional(), Length(max=100)])


class KeptUnlessEmpty:
    """Required when the field is posted; a post that leaves the field out keeps the value
    the form was built with (the current setting), so older clients and tests still work."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not field.raw_data and field.data not in (None, ""):
            return
        if not field.raw_data or not str(field.raw_data[0]).strip():
            raise StopValidation(self.message)


def _setting_field(spec):
    """The form field for one setting, from its spec: a tick box, a number in its range,
    or text."""
    if spec.kind is bool:
        return BooleanField(spec.label)
    if spec.upload:
        return FileField(spec.label)
    if spec.kind is int:
        return IntegerField(spec.label, validators=[
            KeptUnlessEmpty(f"Enter a number of {spec.unit}"),
            NumberRange(min=spec.minimum, max=spec.maximum,
                        message=f"Enter a number of {spec.unit} from {spec.minimum} to "
                                f"{spec.maximum}")])
    if spec.lines:
        return TextAreaField(spec.label, validators=[Optional(), Length(max=5000)])
    return StringField(spec.label, validators=[KeptUnlessEmpty(f"Enter the {spec.label.lower()}"),
                                               Length(max=200, message=f"{spec.label} must be "
                                                                       f"200 characters or fewer")],
                       filters=[lambda value: value.strip() if isinstance(value, str) else value])


class SettingsForm(FlaskForm):
    """One field per site setting, built from portal.settings.SPECS (below the class)."""

    remove_logo = BooleanField("Remove the logo (the NHS logo shows instead)")
    new_logo = None  # a checked upload, once validated

    def setting_values(self) -> dict:
        """The settings to save. An upload is stored by the service (`new_logo`); without
        one, the current logo stays unless "remove" is ticked."""
        values = {spec.key: self[spec.key].data for spec in SPECS if not spec.upload}
        if self.remove_logo.data and self.new_logo is None:
            values["organisation_logo"] = None
        return values

    def validate_organisation_logo(self, field):
        if isinstance(field.data, FileStorage) and field.data.filename:
            try:
                self.new_logo = branding.check_logo(field.data.stream, field.data.filename)
            except UploadRejected as problem:
                raise ValidationError(str(problem)) from problem

    def validate_footer_links(self, field):
        try:
            branding.parse_footer_links(field.data or "")
        except ValueError as problem:
            raise ValidationError(str(problem)) from problem

    def validate_organisation_timezone(self, field):
        try:
            zoneinfo.ZoneInfo(field.data.strip())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError("Enter a time zone from the tz database, like "
                                  "Europe/London") from exc


for _spec in SPECS:
    setattr(SettingsForm, _spec.key, _setting_field(_spec))


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField("Action", validators=[Optional(), Length(max=60)],
                         description="For example user.suspend, or just user")
    actor = StringField("Done by", validators=[Optional(), Length(max=100)],
                        description="Name or email")
    object_type = StringField("Kind of thing", validators=[Optional(), Length(max=40)],
                              description="For example user, group, article, comment")
    object_id = IntegerField("Its number", validators=[Optional()])


class ModerationReasonForm(FlaskForm):
    reason = StringField("Reason for hiding, shown to the author", validators=[
        InputRequired("Give a reason: the author will see it"),
        Length(max=300, message="Reason must be 300 characters or fewer")])


class WarnForm(FlaskForm):
    message = TextAreaField("Message to the author", validators=[
        InputRequired("Write the message the author will get by email"),
        Length(max=2000, message="Message must be 2,000 characters or fewer")])


class SuspendAuthorForm(FlaskForm):
    days = IntegerField("Suspend for (days)", default=7, validators=[
        InputRequired("Enter a number of days"),
        NumberRange(min=1, max=365, message="Enter a number of days from 1 to 365")])
    reason = StringField("Reason for the suspension, shown to the author", validators=[
        InputRequired("Give a reason: the author will see it"),
        Length(max=500, message="Reason must be 500 characters or fewer")])


class ModeratorEditForm(FlaskForm):
    body = TextAreaField("Text", validators=[
        InputRequired("The text cannot be empty: hide or delete it instead"),
        Length(max=20000, message="Text must be 20,000 characters or fewer")])
    note = StringField("Edit note, shown with the post", validators=[
        InputRequired("Say what you changed and why"),
        Length(max=300, message="Edit note must be 300 characters or fewer")])


class RenameThreadForm(FlaskForm):
    title = StringField("New title", validators=[
        InputRequired("Enter a title"),
        Length(max=200, message="Title must be 200 characters or fewer")],
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value])


class MoveThreadForm(FlaskForm):
    board = SelectField("Move to board", coerce=int,
                        validators=[InputRequired("Choose a board")])

