"""Newsletter forms: an issue (words, segment and the blocks to include, in order), the
person to preview it as, and when to send it. They validate; the views and services save."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.blueprints.accounts.models import User
from portal.blueprints.newsletter.blocks import Block
from portal.blueprints.webinars import times

NOW, LATER = "now", "later"


class IssueForm(FlaskForm):
    subject = StringField("Subject", validators=[
        InputRequired("Enter a subject"),
        Length(max=200, message="Subject must be 200 characters or fewer")],
        description="The email's subject and the issue's title on the site")
    intro = TextAreaField("Introduction", validators=[
        Optional(), Length(max=20000, message="Introduction must be 20,000 characters or "
                                              "fewer")],
        description="Markdown. It opens every copy, whoever it goes to.")
    segment = SelectField("Send to", validators=[InputRequired("Choose who this issue is for")])

    candidates: list[Block] = []

    def include(self, block: Block):
        return self[f"include_{block.kind}_{block.object_id}"]

    def position(self, block: Block):
        return self[f"position_{block.kind}_{block.object_id}"]

    def chosen(self) -> list[tuple[str, int]]:
        """The blocks ticked, by their position (blank positions last, as listed)."""
        ticked = [(n, b) for n, b in enumerate(self.candidates) if self.include(b).data]
        ticked.sort(key=lambda nb: (self.position(nb[1]).data or 1000, nb[0]))
        return [(b.kind, b.object_id) for _, b in ticked]


def issue_form(candidates: list[Block], segments: list[tuple[str, str]],
               chosen: list[tuple[str, int]], **data) -> IssueForm:
    """The issue form with a tick box and a position for each block on offer; the blocks
    already chosen start ticked, numbered in their order."""
    fields = {}
    for block in candidates:
        suffix = f"{block.kind}_{block.object_id}"
        fields[f"include_{suffix}"] = BooleanField(f"Include “{block.title}”")
        fields[f"position_{suffix}"] = IntegerField(f"Position of “{block.title}”", validators=[
            Optional(), NumberRange(min=1, max=99, message="Enter a position from 1 to 99")])
    for n, (kind, object_id) in enumerate(chosen, start=1):
        data[f"include_{kind}_{object_id}"] = True
        data[f"position_{kind}_{object_id}"] = n
    form = type("BlocksIssueForm", (IssueForm,), fields)(data=data)
    form.segment.choices = [SelectChoice(value, text) for value, text in segments]
    form.candidates = candidates
    return form


class PreviewForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it shows a copy, it changes nothing

    email = EmailField("Preview as", validators=[InputRequired("Enter the email address of "
                                                               "the person to preview as")],
                       description="The email address of someone in this issue's segment")
    person: User | None = None

    def validate_email(self, field):
        self.person = User.by_email(field.data or "")
        if self.person is None or self.person.erased_at is not None:
            raise ValidationError("There is no account with that email address")


class SendForm(FlaskForm):
    when = RadioField("When to send it", choices=[SelectChoice(NOW, "Now"),
                                                 SelectChoice(LATER, "At a set time")],
                      default=NOW, validators=[InputRequired("Choose when to send it")])
    day = DateField("Date", validators=[Optional()], description="For example, 2027-03-29")
    start_time = TimeField("Time (UK time)", validators=[Optional()],
                           description="For example, 09:00")

    def validate(self, extra_validators=None) -> bool:
        """The date and time are asked for only when sending later (empty otherwise, so
        their own validators let blanks through)."""
        valid = super().validate(extra_validators)
        if self.when.data != LATER:
            return valid
        if self.day.data is None and not self.day.errors:
            self.day.errors.append("Enter the date to send it, like 2027-03-29")
        if self.start_time.data is None and not self.start_time.errors:
            self.start_time.errors.append("Enter the time to send it, like 09:00")
        elif self.day.data is not None and self.start_time.data is not None \
                and not times.exists(self.day.data, self.start_time.data):
            self.start_time.errors.append("That time does not exist on that date because "
                                          "the clocks go forward: choose another time")
        return valid and not (self.day.errors or self.start_time.errors)

    def send_at(self):
        """The moment in UTC, or None for now."""
        if self.when.data != LATER:
            return None
        return times.to_utc(self.day.data, self.start_time.data)
