"""Library forms: resources (a file or a link), and a new version of a file."""
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal import audience
from portal.blueprints.accounts.forms import MultiCheckboxField
from portal.blueprints.library.models import FILE, KINDS, LINK, VIDEO

SORTS = {"newest": "Newest first", "downloads": "Most downloaded", "title": "Title A to Z"}


class ResourceForm(FlaskForm):
    title = StringField("Title", validators=[
        InputRequired("Enter a title"),
        Length(max=200, message="Title must be 200 characters or fewer")])
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=2000, message="Description must be 2,000 characters or fewer")])
    kind = RadioField("What are you adding?", default=FILE,
                      choices=[SelectChoice(FILE, "Upload a file"),
                               SelectChoice(LINK, "Link to a web page"),
                               SelectChoice(VIDEO, "Link to a video")],
                      validators=[InputRequired("Choose a file, a link or a video link")])
    file = FileField("File to upload",
                     description="PDF, Word, Excel, PowerPoint, plain text, CSV, PNG or JPEG")
    url = StringField("Web address", validators=[Length(max=500)],
                      description="For a link or video, starting https://")
    topics = MultiCheckboxField("Topics", coerce=int, validators=[Optional()])
    audience = RadioField("Who can see it", default=audience.SIGNED_IN,
                          choices=[SelectChoice(k, v) for k, v in audience.CHOICES],
                          validators=[InputRequired("Choose who can see it")])
    groups = MultiCheckboxField("Groups", coerce=int,
                                description="Only for “Members of chosen groups”")
    cohort = SelectField("Programme or cohort", coerce=int, validators=[Optional()],
                         description="The cohort this belongs to, if any")
    articles = SelectMultipleField("Related hub articles", coerce=int, validators=[Optional()],
                                   description="Shown as related resources on those articles")

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._editing = editing

    def validate_url(self, field):
        if self.kind.data == FILE:
            return
        if not field.data:
            raise ValidationError("Enter the web address of the link")
        parts = urlsplit(field.data.strip())
        if parts.scheme != "https" or not parts.netloc:
            raise ValidationError("Enter a web address that starts with https://")

    def validate_file(self, field):
        if self.kind.data == FILE and not self._editing and not field.data:
            raise ValidationError("Choose a file to upload")

    def validate_groups(self, field):
        if self.audience.data == audience.GROUPS and not field.data:
            raise ValidationError("Choose at least one group, or another audience")


class ReplaceFileForm(FlaskForm):
    file = FileField("New version of the file", description="The old version is kept in "
                                                            "the history")

    def validate_file(self, field):
        if not field.data:
            raise ValidationError("Choose a file to upload")


class BrowseForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search the library", validators=[Optional(), Length(max=200)])
    topic = SelectField("Topic", validators=[Optional()])
    kind = SelectField("Type", validators=[Optional()], choices=[SelectChoice("", "All types")]
                       + [SelectChoice(k, v) for k, v in KINDS.items()])
    cohort = SelectField("Programme or cohort", validators=[Optional()])
    sort = SelectField("Sort by", validators=[Optional()], default="newest",
                       choices=[SelectChoice(k, v) for k, v in SORTS.items()])
