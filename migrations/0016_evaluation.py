"""Evaluation: surveys and their questions, invitations, answers (with random ids, so their
order says nothing), and each cohort's outcome summary."""
from peewee import *

TABLES = ("outcome_summary", "survey_response", "survey_invitation", "survey_question",
          "survey")


def up(migrator, db):
    def table(name):
        class Stub(Model):
            class Meta:
                database = db
                table_name = name
        return Stub

    User, Programme, Cohort, Article = (table(n) for n in ("user", "programme", "cohort",
                                                           "article"))

    class Survey(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        title = CharField(max_length=160)
        intro = TextField(default="")
        moment = CharField(max_length=20)
        follow_up_months = IntegerField(null=True)
        role = CharField(max_length=10, default="")
        anonymity = CharField(max_length=10, default="named")
        status = CharField(max_length=10, default="draft")
        opened_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "survey"
            indexes = ((("programme", "status", "moment"), False),
                       (("status", "moment"), False))

    class SurveyQuestion(Model):
        survey = ForeignKeyField(Survey, on_delete="CASCADE")
        position = IntegerField(default=0)
        kind = CharField(max_length=10)
        text = CharField(max_length=500)
        options = TextField(default="")
        required = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "survey_question"
            indexes = ((("survey", "position"), False),)

    class SurveyInvitation(Model):
        survey = ForeignKeyField(Survey, on_delete="CASCADE")
        person = ForeignKeyField(User, on_delete="CASCADE")
        cohort = ForeignKeyField(Cohort, null=True, on_delete="CASCADE")
        occasion = CharField(max_length=40)
        sent_at = DateTimeField()
        reminded_at = DateTimeField(null=True)
        answered = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "survey_invitation"
            indexes = ((("survey", "person", "occasion"), True),
                       (("survey", "cohort", "answered"), False),
                       (("answered", "reminded_at", "sent_at"), False),
                       (("occasion", "person"), False))

    class SurveyResponse(Model):
        id = BigIntegerField(primary_key=True)
        survey = ForeignKeyField(Survey, on_delete="CASCADE")
        cohort = ForeignKeyField(Cohort, null=True, on_delete="CASCADE")
        respondent = ForeignKeyField(User, null=True, on_delete="SET NULL")
        answered_on = DateField()
        answers = TextField(default="{}")
        hidden = TextField(default="[]")
        quoted = TextField(default="[]")

        class Meta:
            database = db
            table_name = "survey_response"
            indexes = ((("survey", "cohort"), False), (("respondent", "survey"), False))

    class OutcomeSummary(Model):
        cohort = ForeignKeyField(Cohort, unique=True, on_delete="CASCADE")
        intro = TextField(default="")
        article = ForeignKeyField(Article, null=True, on_delete="SET NULL")
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        updated_at = DateTimeField()
        published_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "outcome_summary"

    db.create_tables([Survey, SurveyQuestion, SurveyInvitation, SurveyResponse,
                      OutcomeSummary])


def down(migrator, db):
    for name in TABLES:
        db.execute_sql(f'DROP TABLE IF EXISTS "{name}"')
