"""The expert directory's specialisms, which staff keep: areas (Finance), their
specialisms (building a budget), and for each specialism the workbook items an expert
passes on, which a learner ticks when asking and signs off in their workbook."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from portal.db import BaseModel

ITEM_TITLE = "I have adequate knowledge of {}"
ITEM_KEY = "workbook-item:{}"


class SpecialismArea(BaseModel):
    name = CharField(max_length=80, unique=True)
    slug = CharField(max_length=80, unique=True)
    position = IntegerField(default=0)

    @classmethod
    def ordered(cls):
        return cls.select().order_by(cls.position, cls.name, cls.id)


class Specialism(BaseModel):
    area = ForeignKeyField(SpecialismArea, backref="specialisms", on_delete="CASCADE")
    name = CharField(max_length=120)
    slug = CharField(max_length=140, unique=True)
    description = TextField(default="")
    position = IntegerField(default=0)
    retired = BooleanField(default=False)

    class Meta:
        indexes = ((("area", "name"), True),)

    @classmethod
    def with_areas(cls, include_retired: bool = False):
        """Specialisms with their area, in the taxonomy's order: one query."""
        query = (cls.select(cls, SpecialismArea).join(SpecialismArea)
                 .order_by(SpecialismArea.position, SpecialismArea.name, cls.position,
                           cls.name, cls.id))
        return query if include_retired else query.where(cls.retired == False)  # noqa: E712


class WorkbookItem(BaseModel):
    """One thing an expert in a specialism passes on; a learner signs it off."""

    specialism = ForeignKeyField(Specialism, backref="items", on_delete="CASCADE")
    text = CharField(max_length=160)
    position = IntegerField(default=0)
    retired = BooleanField(default=False)

    class Meta:
        indexes = ((("specialism", "position"), False),)

    @property
    def goal_title(self) -> str:
        return ITEM_TITLE.format(self.text)

    @property
    def key(self) -> str:
        return ITEM_KEY.format(self.id)

    @classmethod
    def of_specialisms(cls, specialism_ids, include_retired: bool = False):
        query = (cls.select(cls, Specialism).join(Specialism)
                 .where(cls.specialism.in_(list(specialism_ids) or [0]))
                 .order_by(Specialism.position, Specialism.name, cls.position, cls.id))
        return query if include_retired else query.where(cls.retired == False)  # noqa: E712
