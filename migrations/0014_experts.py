"""The volunteer expert directory: the specialism taxonomy and its workbook items, experts
and their specialisms, the experts' webinars and board, introductions and their requests,
and activity checks."""
from peewee import *

TABLES = ("activity_check", "request_item", "introduction_request", "introduction",
          "expert_board", "expert_webinar", "expert_specialism", "expert", "workbook_item",
          "specialism", "specialism_area")


def up(migrator, db):
    def existing(name):
        class Existing(Model):
            class Meta:
                database = db
                table_name = name
        return Existing

    User, Programme, Board = existing("user"), existing("programme"), existing("board")
    WebinarSession, Relationship = existing("webinar_session"), existing("relationship")

    class SpecialismArea(Model):
        name = CharField(max_length=80, unique=True)
        slug = CharField(max_length=80, unique=True)
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "specialism_area"

    class Specialism(Model):
        area = ForeignKeyField(SpecialismArea, on_delete="CASCADE")
        name = CharField(max_length=120)
        slug = CharField(max_length=140, unique=True)
        description = TextField(default="")
        position = IntegerField(default=0)
        retired = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "specialism"
            indexes = ((("area", "name"), True),)

    class WorkbookItem(Model):
        specialism = ForeignKeyField(Specialism, on_delete="CASCADE")
        text = CharField(max_length=160)
        position = IntegerField(default=0)
        retired = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "workbook_item"
            indexes = ((("specialism", "position"), False),)

    class Expert(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        bio = TextField(default="")
        capacity = IntegerField(default=1)
        paused_until = DateField(null=True)
        withdrawn_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "expert"
            indexes = ((("programme", "user"), True), (("user", "programme"), False))

    class ExpertSpecialism(Model):
        expert = ForeignKeyField(Expert, on_delete="CASCADE")
        specialism = ForeignKeyField(Specialism, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "expert_specialism"
            indexes = ((("expert", "specialism"), True), (("specialism", "expert"), False))

    class ExpertWebinar(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        session = ForeignKeyField(WebinarSession, on_delete="CASCADE")
        purpose = CharField(max_length=20)

        class Meta:
            database = db
            table_name = "expert_webinar"
            indexes = ((("programme", "session"), True), (("session", "programme"), False))

    class ExpertBoard(Model):
        programme = ForeignKeyField(Programme, unique=True, on_delete="CASCADE")
        board = ForeignKeyField(Board, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "expert_board"

    class Introduction(Model):
        learner = ForeignKeyField(User, on_delete="CASCADE")
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        wants = TextField()
        for_what = CharField(max_length=200, default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "introduction"
            indexes = ((("learner", "created_at"), False),)

    class IntroductionRequest(Model):
        introduction = ForeignKeyField(Introduction, on_delete="CASCADE")
        expert = ForeignKeyField(Expert, on_delete="CASCADE")
        status = CharField(max_length=10, default="pending")
        created_at = DateTimeField()
        expires_at = DateTimeField()
        responded_at = DateTimeField(null=True)
        response_seconds = IntegerField(null=True)
        message = TextField(default="")
        relationship = ForeignKeyField(Relationship, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "introduction_request"
            indexes = ((("introduction", "expert"), True), (("expert", "status"), False),
                       (("status", "expires_at"), False))

    class RequestItem(Model):
        request = ForeignKeyField(IntroductionRequest, on_delete="CASCADE")
        item = ForeignKeyField(WorkbookItem, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "request_item"
            indexes = ((("request", "item"), True), (("item", "request"), False))

    class ActivityCheck(Model):
        expert = ForeignKeyField(Expert, on_delete="CASCADE")
        period_start = DateField()
        sent_at = DateTimeField()
        answer = CharField(max_length=10, default="")
        answered_at = DateTimeField(null=True)
        paused_until = DateField(null=True)
        resolved_at = DateTimeField(null=True)
        resolved_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "activity_check"
            indexes = ((("expert", "period_start"), True),
                       (("answered_at", "resolved_at", "sent_at"), False))

    db.create_tables([SpecialismArea, Specialism, WorkbookItem, Expert, ExpertSpecialism,
                      ExpertWebinar, ExpertBoard, Introduction, IntroductionRequest,
                      RequestItem, ActivityCheck])


def down(migrator, db):
    for table in TABLES:
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
