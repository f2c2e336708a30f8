"""Hub forms: articles for staff, ratings and comments for readers."""
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal import audience
from portal.blueprints.accounts.forms import MultiCheckboxField
from portal.blueprints.hub.models import KINDS


class ArticleForm(FlaskForm):
    title = StringField("Title", validators=[
        InputRequired("Enter a title"),
        Length(max=200, message="Title must be 200 characters or fewer")])
    summary = TextAreaField("Summary", validators=[
        InputRequired("Enter a summary of one or two sentences"),
        Length(max=600, message="Summary must be 600 characters or fewer")],
        description="Shown in lists and search results")
    body = TextAreaField("Article", validators=[
        InputRequired("Write the article"),
        Length(max=100_000, message="The article must be 100,000 characters or fewer")],
        description="Markdown: ## for a heading, **bold**, *italic*, [link text](https://…), "
                    "- for a list")
    kind = SelectField("Type", choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                       validators=[InputRequired("Choose a type")])
    topics = MultiCheckboxField("Topics", coerce=int, validators=[Optional()])
    audience = RadioField("Who can read it", choices=[SelectChoice(k, v)
                                                      for k, v in audience.CHOICES],
                          default=audience.SIGNED_IN,
                          validators=[InputRequired("Choose who can read it")])
    groups = MultiCheckboxField("Groups", coerce=int,
                                description="Only for “Members of chosen groups”")
    review_by = DateField("Review by", validators=[Optional()],
                          description="The owner is reminded to check the article on this "
                                      "date. Leave empty to use the site setting.")
    note = StringField("What did you change?", validators=[Optional(), Length(max=200)],
                       description="Kept in the revision history")

    def validate_groups(self, field):
        if self.audience.data == audience.GROUPS and not field.data:
            raise ValidationError("Choose at least one group, or another audience")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search the hub", validators=[Optional(), Length(max=200)])
    topic = SelectField("Topic", validators=[Optional()])
    kind = SelectField("Type", choices=[SelectChoice("", "All types")] +
                       [SelectChoice(k, v) for k, v in KINDS.items()], validators=[Optional()])


class RatingForm(FlaskForm):
    stars = RadioField("Your rating", coerce=int,
                       choices=[SelectChoice(n, f"{n} star{'s' if n > 1 else ''}")
                                for n in range(1, 6)],
                       validators=[InputRequired("Choose from 1 to 5 stars")])


class CommentForm(FlaskForm):
    body = TextAreaField("Add a comment", validators=[
        InputRequired("Write your comment"),
        Length(max=5000, message="Comments must be 5,000 characters or fewer")],
        description="You can use Markdown for links and emphasis")


class HideForm(FlaskForm):
    reason = StringField("Reason for hiding", validators=[
        InputRequired("Give a reason: the author will see it"),
        Length(max=300, message="Reason must be 300 characters or fewer")])


class StatusForm(FlaskForm):
    action = HiddenField(validators=[InputRequired()])
