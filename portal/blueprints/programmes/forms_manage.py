"""Staff forms for setting programmes up: the programme with both roles, their rules and
commitments; coordinators; cohorts; and the cohort's webinars.

Eligibility rules are edited without JavaScript as a fixed set of fieldsets per role, one
per rule kind, each with an "on" checkbox and its parameters. The role fields are named
`<role>_<field>` (mentor_name, mentee_leave_ahead_types...) and added to ProgrammeForm
below, so one form, one error summary and one validation cover the whole page.
"""
import decimal
import re

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
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal import audience
from portal.blueprints.accounts.forms import MultiCheckboxField
from portal.blueprints.accounts.models import STAFF_GROUPS, User
from portal.blueprints.programmes import phases, rules, services, services_webinars
from portal.blueprints.programmes.models import (
    ALL_ROLES,
    CHANNELS,
    KINDS,
    MENTEE,
    MENTOR,
    RELATIONSHIPS,
    ROLE_KEYS,
)
from portal.blueprints.webinars.forms import SessionForm
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.permissions import is_staff

SIDES = {MENTOR: "Mentor side", MENTEE: "Mentee side"}
# The rule fieldsets in the order they are shown and saved, with their parameter fields.
RULE_PARAMS = {
    rules.STAFF_GROUP: ("groups",),
    rules.MIN_BAND: ("band",),
    rules.LEAVE_AHEAD: ("types", "min_months_ahead", "max_months_ahead", "min_length_months"),
    rules.LEAVE_EXPERIENCE: ("types", "within_years"),
    rules.BACKGROUND: ("backgrounds",),
}
MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


def _choices(mapping) -> list[SelectChoice]:
    return [SelectChoice(k, v) for k, v in mapping.items()]


def _count(label, most=1000, **kw):
    return IntegerField(label, validators=[
        Optional(), NumberRange(min=1, max=most, message=f"{label} must be a whole number "
                                                         f"from 1 to {most:,}")], **kw)


def _months(label, default=None, least=1):
    return IntegerField(label, default=default, validators=[
        Optional(), NumberRange(min=least, max=120, message=f"{label} must be a whole number "
                                                            f"of months from {least} to 120")])


def _rule_fields(kind: str) -> dict:
    label = rules.KIND_LABELS[kind]
    fields = {"on": BooleanField(f"{label} rule: applicants must meet it")}
    if kind == rules.STAFF_GROUP:
        fields["groups"] = MultiCheckboxField("Staff groups", choices=[
            SelectChoice(g, g) for g in STAFF_GROUPS])
    elif kind == rules.MIN_BAND:
        fields["band"] = SelectField("Pay band at least", choices=_choices(rules.BAND_LABELS),
                                     default="6")
    elif kind in (rules.LEAVE_AHEAD, rules.LEAVE_EXPERIENCE):
        fields["types"] = MultiCheckboxField("Leave types", choices=_choices(rules.LEAVE_TYPES))
    if kind == rules.LEAVE_AHEAD:
        fields["min_months_ahead"] = _months("Starting at least this many months ahead", 3, 0)
        fields["max_months_ahead"] = _months("and at most this many months ahead", 6)
        fields["min_length_months"] = _months("Lasting at least (months)", 3)
    elif kind == rules.LEAVE_EXPERIENCE:
        fields["within_years"] = IntegerField("Within the last (years)", default=5, validators=[
            Optional(), NumberRange(min=1, max=40, message="Years must be from 1 to 40")])
    elif kind == rules.BACKGROUND:
        fields["backgrounds"] = MultiCheckboxField("Backgrounds",
                                                   choices=_choices(rules.BACKGROUNDS))
    return fields


def _role_fields(key: str) -> dict:
    side = SIDES[key]
    fields = {
        "name": StringField(f"{side}: what the programme calls this role", validators=[
            InputRequired(f"{side}: enter the role's name, like {key}"),
            Length(max=60, message=f"{side}: the role's name must be 60 characters or fewer")]),
        "description": TextAreaField(f"{side}: who it is for", validators=[
            Optional(), Length(max=2000, message=f"{side}: keep who it is for to 2,000 "
                                                 "characters")]),
        "training_days": IntegerField(f"{side}: days of training", default=1, validators=[
            InputRequired(f"{side}: enter the days of training, 0 for none"),
            NumberRange(min=0, max=10, message=f"{side}: days of training must be 0 to 10")]),
        "training_description": TextAreaField(f"{side}: about the training", validators=[
            Optional(), Length(max=2000, message=f"{side}: keep the training to 2,000 "
                                                 "characters")]),
        "commitments": TextAreaField(
            f"{side}: commitments applicants must tick", description="One per line",
            validators=[Optional(), Length(max=3000, message=f"{side}: keep the commitments "
                                                             "to 3,000 characters")]),
    }
    for kind in RULE_PARAMS:
        for name, field in _rule_fields(kind).items():
            fields[f"{kind}_{name}"] = field
    return fields


class ProgrammeForm(FlaskForm):
    name = StringField("Name", validators=[
        InputRequired("Enter the programme's name"),
        Length(max=160, message="Name must be 160 characters or fewer")])
    summary = TextAreaField("Summary", description="One or two sentences for the list of "
                            "programmes", validators=[
        InputRequired("Enter a summary"),
        Length(max=500, message="Summary must be 500 characters or fewer")])
    description = TextAreaField("Public description", description="Markdown: ## for a "
                                "heading, a blank line between paragraphs", validators=[
        Optional(), Length(max=20_000, message="Description must be 20,000 characters or fewer")])
    kind = RadioField("Kind", choices=_choices(KINDS), default="cohort",
                      validators=[InputRequired("Choose the kind of programme")])
    relationship = RadioField("Relationship", choices=_choices(RELATIONSHIPS),
                              default="one_way",
                              validators=[InputRequired("Choose the relationship")])
    max_sessions = _count("At most this many sessions", 100)
    max_session_minutes = _count("Of at most this many minutes", 600)
    allowed_channels = MultiCheckboxField("By these channels", choices=_choices(CHANNELS),
                                          description="None ticked: any channel")
    target_meetings = _count("About this many meetings", 100)
    target_months = _months("Over this many months")
    length_min_months = _months("Relationship length: at least (months)")
    length_max_months = _months("Relationship length: at most (months)")
    mentor_capacity_min = _count("Each mentor takes at least this many mentees", 50)
    mentor_capacity_max = _count("Each mentor takes at most this many mentees", 50)
    fee = StringField("Fee per participant in pounds", description="For example, 500 or "
                      "499.50; 0 or empty for no fee", validators=[Optional()])
    fee_wording = TextAreaField("For people whose organisation cannot fund the fee",
                                validators=[Optional(), Length(
                                    max=2000, message="Keep this to 2,000 characters")])

    def validate_fee(self, field):
        text = (field.data or "").strip().removeprefix("£").replace(",", "")
        if text and not MONEY.match(text):
            raise ValidationError("Enter the fee in pounds, like 500 or 499.50")
        if text and decimal.Decimal(text) > 100_000:
            raise ValidationError("The fee must be £100,000 or less")

    def validate_length_max_months(self, field):
        if field.data and self.length_min_months.data and field.data < self.length_min_months.data:
            raise ValidationError("The longest relationship must not be shorter than the "
                                  "shortest")

    def validate_mentor_capacity_max(self, field):
        if field.data and self.mentor_capacity_min.data \
                and field.data < self.mentor_capacity_min.data:
            raise ValidationError("The most mentees must not be fewer than the fewest")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for key in ROLE_KEYS:
            for kind in RULE_PARAMS:
                if self[f"{key}_{kind}_on"].data and not self._check_rule(key, kind):
                    valid = False
        return valid

    def _check_rule(self, key: str, kind: str) -> bool:
        """Each parameter of a rule that is on must be given; the error names the rule."""
        rule = f"{SIDES[key]}, {rules.KIND_LABELS[kind].lower()} rule"
        ok = True
        for param in RULE_PARAMS[kind]:
            field = self[f"{key}_{kind}_{param}"]
            if field.errors:
                ok = False
            elif field.data in (None, "", []):
                field.errors.append(f"{rule}: {_missing(field)}")
                ok = False
        if ok and kind == rules.LEAVE_AHEAD and (
                self[f"{key}_{kind}_min_months_ahead"].data
                > self[f"{key}_{kind}_max_months_ahead"].data):
            self[f"{key}_{kind}_max_months_ahead"].errors.append(
                f"{rule}: the latest start must not be before the earliest")
            ok = False
        return ok

    # What the services take -------------------------------------------------------------

    def fee_pence(self) -> int:
        text = (self.fee.data or "").strip().removeprefix("£").replace(",", "") or "0"
        return int(decimal.Decimal(text) * 100)

    def details(self, programme=None) -> services.ProgrammeDetails:
        """`programme`: when editing, what the form does not change is kept."""
        return services.ProgrammeDetails(
            name=self.name.data.strip(), summary=self.summary.data.strip(),
            description=(self.description.data or "").strip(), kind=self.kind.data,
            relationship=self.relationship.data, max_sessions=self.max_sessions.data,
            max_session_minutes=self.max_session_minutes.data,
            allowed_channels=list(self.allowed_channels.data or []),
            target_meetings=self.target_meetings.data, target_months=self.target_months.data,
            length_min_months=self.length_min_months.data,
            length_max_months=self.length_max_months.data,
            mentor_capacity_min=self.mentor_capacity_min.data,
            mentor_capacity_max=self.mentor_capacity_max.data, fee_pence=self.fee_pence(),
            fee_wording=(self.fee_wording.data or "").strip(),
            checkin_weeks=programme.checkin_weeks if programme else None,
            inactivity_days=programme.inactivity_days if programme else None,
            published=programme.published if programme else False)

    def roles(self) -> list[services.RoleDetails]:
        return [self._role(key) for key in ROLE_KEYS]

    def _role(self, key: str) -> services.RoleDetails:
        def value(name):
            return self[f"{key}_{name}"].data

        chosen = [(kind, {param: value(f"{kind}_{param}") for param in params})
                  for kind, params in RULE_PARAMS.items() if value(f"{kind}_on")]
        return services.RoleDetails(
            key=key, name=value("name").strip(), description=(value("description") or "").strip(),
            training_days=value("training_days") or 0,
            training_description=(value("training_description") or "").strip(),
            rules=chosen, commitments=(value("commitments") or "").splitlines())

    def role_field_names(self, key: str) -> dict:
        """The role's own fields and its rule fieldsets, for the template."""
        return {"fields": [f"{key}_{n}" for n in ("name", "description", "training_days",
                                                  "training_description", "commitments")],
                "rules": [(kind, f"{key}_{kind}_on",
                           [f"{key}_{kind}_{p}" for p in params])
                          for kind, params in RULE_PARAMS.items()]}


def _missing(field) -> str:
    if field.type == "MultiCheckboxField":
        return f"choose at least one of the {field.label.text.lower()}"
    if field.type == "SelectField":
        return f"choose the {field.label.text.lower()}"
    return f"enter “{field.label.text}”"


for _key in ROLE_KEYS:
    for _name, _field in _role_fields(_key).items():
        setattr(ProgrammeForm, f"{_key}_{_name}", _field)


def programme_data(programme) -> dict:
    """The form's data for an existing programme, its roles and their rules."""
    data = {name: getattr(programme, name) for name in (
        "name", "summary", "description", "kind", "relationship", "max_sessions",
        "max_session_minutes", "target_meetings", "target_months", "length_min_months",
        "length_max_months", "mentor_capacity_min", "mentor_capacity_max", "fee_wording")}
    data["allowed_channels"] = programme.channel_list
    data["fee"] = programme.fee_pounds.removeprefix("£").replace(",", "") \
        if programme.fee_pence else ""
    for role in programme.role_rows():
        key = role.key
        data.update({f"{key}_name": role.name, f"{key}_description": role.description,
                     f"{key}_training_days": role.training_days,
                     f"{key}_training_description": role.training_description,
                     f"{key}_commitments": "\n".join(c.text for c in role.commitment_rows())})
        for rule in role.rule_rows():
            data[f"{key}_{rule.kind}_on"] = True
            data.update({f"{key}_{rule.kind}_{p}": v for p, v in rule.params_dict.items()})
    return data


class CoordinatorForm(FlaskForm):
    email = EmailField("Email address of a staff member", validators=[
        InputRequired("Enter the email address of the staff member"),
        Length(max=254, message="Email address must be 254 characters or fewer")])

    person: User | None = None

    def validate_email(self, field):
        self.person = User.by_email(field.data)
        if self.person is None:
            raise ValidationError("Nobody has an account with this email address")
        if not is_staff(self.person):
            raise ValidationError(f"{self.person.name} is not staff: only staff can "
                                  "coordinate a programme")


class CohortForm(FlaskForm):
    name = StringField("Name", description="For example, 2027 or Spring 2027", validators=[
        InputRequired("Enter the cohort's name"),
        Length(max=120, message="Name must be 120 characters or fewer")])
    mentor_capacity = _count("Places for mentors", 10_000, description="Empty: no limit")
    mentee_capacity = _count("Places for mentees", 10_000, description="Empty: no limit")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid:
            for problem_field, message in _date_problems(self):
                self[problem_field].errors.append(message)
                valid = False
        return valid

    def details(self) -> services.CohortDetails:
        return services.CohortDetails(
            name=self.name.data.strip(), mentor_capacity=self.mentor_capacity.data,
            mentee_capacity=self.mentee_capacity.data,
            **{name: self[name].data for name in DATE_FIELDS})


DATE_FIELDS = [name for span in phases.SPANS for name in span]
for _name in DATE_FIELDS:
    _words = _name.replace("_", " ")
    setattr(CohortForm, _name, DateField(_words.capitalize(), description="For example, "
                                         "2027-03-29", validators=[
        InputRequired(f"Enter the date {_words}, like 2027-03-29")]))


def _date_problems(form) -> list[tuple[str, str]]:
    """Dates out of order, each against the later field (phases decides the order)."""
    found = []
    pairs = list(phases.SPANS) + list(zip(phases.ORDER, phases.ORDER[1:], strict=False)) + [
        ("mentoring_ends", "evaluation_ends")]
    for earlier, later in pairs:
        if form[earlier].data > form[later].data and later not in dict(found):
            found.append((later, f"{later.replace('_', ' ').capitalize()} must not be before "
                                 f"{earlier.replace('_', ' ')}"))
    return found


ROLE_CHOICES = [SelectChoice(MENTOR, "Mentors"), SelectChoice(MENTEE, "Mentees"),
                SelectChoice(ALL_ROLES, "Everyone in the cohort")]


class CohortSessionForm(SessionForm):
    """A cohort's webinar: the webinar fields, with the audience fixed to the cohort's
    group by the service."""

    audience = None
    groups = None

    def details(self) -> SessionDetails:
        return self.details_for(audience.GROUPS, [])


class SupervisionForm(CohortSessionForm):
    day = DateField("Date of the first session", validators=[
        InputRequired("Enter the date of the first session, like 2027-03-29")],
        description="For example, 2027-03-29")
    role = RadioField("For", choices=ROLE_CHOICES, default=MENTOR,
                      validators=[InputRequired("Choose who the supervision is for")])
    cadence_weeks = RadioField("How often", coerce=int, default=6, choices=[
        SelectChoice(w, f"Every {w} weeks") for w in services_webinars.CADENCES],
        validators=[InputRequired("Choose every 6 or every 8 weeks")])
    months = IntegerField("For how many months", default=12, validators=[
        InputRequired("Enter how many months supervision runs, like 12"),
        NumberRange(min=1, max=24, message="Enter a number of months from 1 to 24")])


class TrainingForm(CohortSessionForm):
    day = DateField("Date of the first day", validators=[
        InputRequired("Enter the date of the first training day, like 2027-03-29")],
        description="For example, 2027-03-29")
    role = RadioField("For", choices=ROLE_CHOICES, default=MENTOR,
                      validators=[InputRequired("Choose who the training is for")])
    days = IntegerField("Days of training", default=1, description="One session a day, on "
                        "consecutive days; people are trained when they attend them all",
                        validators=[InputRequired("Enter the days of training, like 1"),
                                    NumberRange(min=1, max=services_webinars.MAX_TRAINING_DAYS,
                                                message="Enter 1 to 5 days")])


class NetworkForm(CohortSessionForm):
    day = DateField("Date of the first meeting", validators=[
        InputRequired("Enter the date of the first meeting, like 2027-03-29")],
        description="For example, 2027-03-29")
    meetings = IntegerField("How many meetings", default=2, validators=[
        InputRequired("Enter how many meetings, like 2"),
        NumberRange(min=1, max=services_webinars.MAX_NETWORK_MEETINGS,
                    message="Enter 1 to 6 meetings")])
    weeks_apart = IntegerField("Weeks apart", default=26, validators=[
        InputRequired("Enter how many weeks apart the meetings are, like 26"),
        NumberRange(min=1, max=52, message="Enter a number of weeks from 1 to 52")])
