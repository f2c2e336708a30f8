"""Programmes: programmes with their coordinators, two roles each with eligibility rules and
commitments, cohorts with their three groups and webinars, applications with their themes,
equality answers, coordinator notes and history, and "tell me when it opens" alerts."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Group(Model):
        class Meta:
            database = db
            table_name = "group"

    class Topic(Model):
        class Meta:
            database = db
            table_name = "topic"

    class WebinarSession(Model):
        class Meta:
            database = db
            table_name = "webinar_session"

    class Programme(Model):
        name = CharField(max_length=160)
        slug = CharField(max_length=160, unique=True)
        summary = TextField(default="")
        description = TextField(default="")
        description_html = TextField(default="")
        kind = CharField(max_length=10, default="cohort")
        relationship = CharField(max_length=10, default="one_way")
        max_sessions = IntegerField(null=True)
        max_session_minutes = IntegerField(null=True)
        allowed_channels = CharField(max_length=60, default="")
        target_meetings = IntegerField(null=True)
        target_months = IntegerField(null=True)
        length_min_months = IntegerField(null=True)
        length_max_months = IntegerField(null=True)
        mentor_capacity_min = IntegerField(null=True)
        mentor_capacity_max = IntegerField(null=True)
        fee_pence = IntegerField(default=0)
        fee_wording = TextField(default="")
        checkin_weeks = IntegerField(null=True)
        inactivity_days = IntegerField(null=True)
        published = BooleanField(default=False, index=True)
        everyone_group = ForeignKeyField(Group, null=True, on_delete="SET NULL")
        mentors_group = ForeignKeyField(Group, null=True, on_delete="SET NULL")
        mentees_group = ForeignKeyField(Group, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "programme"

    class ProgrammeCoordinator(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        added_at = DateTimeField()

        class Meta:
            database = db
            table_name = "programme_coordinator"
            indexes = ((("programme", "user"), True), (("user", "programme"), False))

    class ProgrammeRole(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        key = CharField(max_length=10)
        name = CharField(max_length=60)
        description = TextField(default="")
        training_description = TextField(default="")
        training_days = IntegerField(default=0)
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "programme_role"
            indexes = ((("programme", "key"), True),)

    class EligibilityRule(Model):
        role = ForeignKeyField(ProgrammeRole, on_delete="CASCADE")
        kind = CharField(max_length=30)
        params = TextField(default="{}")
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "eligibility_rule"
            indexes = ((("role", "position"), False),)

    class Commitment(Model):
        role = ForeignKeyField(ProgrammeRole, on_delete="CASCADE")
        text = TextField()
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "commitment"
            indexes = ((("role", "position"), False),)

    class Cohort(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        name = CharField(max_length=120)
        recruitment_opens = DateField()
        recruitment_closes = DateField()
        training_starts = DateField()
        training_ends = DateField()
        mentoring_starts = DateField()
        mentoring_ends = DateField()
        evaluation_starts = DateField()
        evaluation_ends = DateField()
        mentor_capacity = IntegerField(null=True)
        mentee_capacity = IntegerField(null=True)
        everyone_group = ForeignKeyField(Group, on_delete="RESTRICT")
        mentors_group = ForeignKeyField(Group, on_delete="RESTRICT")
        mentees_group = ForeignKeyField(Group, on_delete="RESTRICT")
        opening_notified_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "cohort"
            indexes = ((("programme", "recruitment_opens"), False),
                       (("recruitment_opens", "recruitment_closes"), False))

    class CohortWebinar(Model):
        cohort = ForeignKeyField(Cohort, on_delete="CASCADE")
        session = ForeignKeyField(WebinarSession, on_delete="CASCADE")
        purpose = CharField(max_length=20)
        role = CharField(max_length=10, default="")

        class Meta:
            database = db
            table_name = "cohort_webinar"
            indexes = ((("cohort", "session"), True), (("cohort", "purpose", "role"), False),
                       (("session", "cohort"), False))

    class Application(Model):
        applicant = ForeignKeyField(User, on_delete="CASCADE")
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        cohort = ForeignKeyField(Cohort, null=True, on_delete="CASCADE")
        role = CharField(max_length=10)
        status = CharField(max_length=20, default="draft")
        motivation = TextField(default="")
        learning_goals = TextField(default="")
        availability = TextField(default="")
        leave_type = CharField(max_length=30, default="")
        leave_starts = DateField(null=True)
        leave_months = IntegerField(null=True)
        leave_experience_on = DateField(null=True)
        background = CharField(max_length=30, default="")
        preferred_channel = CharField(max_length=20, default="")
        access_requirements = TextField(default="")
        commitments_ticked = TextField(default="[]")
        evaluation_consent = BooleanField(default=False)
        cannot_fund = BooleanField(default=False)
        cannot_fund_reason = TextField(default="")
        fee_status = CharField(max_length=10, default="not_due")
        fee_note = TextField(default="")
        was_mentee_in = ForeignKeyField("self", null=True, on_delete="SET NULL")
        submitted_at = DateTimeField(null=True)
        decided_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "application"
            indexes = ((("applicant", "cohort", "role"), True),
                       (("cohort", "role", "status", "submitted_at"), False),
                       (("programme", "status", "submitted_at"), False),
                       (("applicant", "status"), False))

    class ApplicationTopic(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        topic = ForeignKeyField(Topic, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "application_topic"
            indexes = ((("application", "topic"), True), (("topic", "application"), False))

    class EqualityAnswer(Model):
        application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
        ethnicity = CharField(max_length=30, default="")
        sex = CharField(max_length=30, default="")
        disability = CharField(max_length=30, default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "equality_answer"

    class CoordinatorNote(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "coordinator_note"
            indexes = ((("application", "created_at"), False),)

    class ApplicationEvent(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        status = CharField(max_length=20)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        note = TextField(default="")
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "application_event"
            indexes = ((("application", "at"), False),)

    class OpeningAlert(Model):
        email = CharField(max_length=254)
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        nonce = CharField(max_length=32)
        created_at = DateTimeField()
        confirmed_at = DateTimeField(null=True)
        unsubscribed_at = DateTimeField(null=True)
        notified_cohort = ForeignKeyField(Cohort, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "opening_alert"
            indexes = ((("email", "programme"), True),
                       (("programme", "confirmed_at", "unsubscribed_at"), False))

    db.create_tables([Programme, ProgrammeCoordinator, ProgrammeRole, EligibilityRule,
                      Commitment, Cohort, CohortWebinar, Application, ApplicationTopic,
                      EqualityAnswer, CoordinatorNote, ApplicationEvent, OpeningAlert])


def down(migrator, db):
    for table in ("opening_alert", "application_event", "coordinator_note", "equality_answer",
                  "application_topic", "application", "cohort_webinar", "cohort", "commitment",
                  "eligibility_rule", "programme_role", "programme_coordinator", "programme"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
