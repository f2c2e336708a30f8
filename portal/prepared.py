"""Queries whose SQL is written once per shape and then run with only their parameters bound.

peewee writes a query's SQL text on every execution, and for a small query that costs several
times what the database spends running it. The hot queries (the session lookup, the audience
filters, a thread's posts) are built here once per process, database and shape, with
placeholders where the per-request values go:

    LOOKUP = Prepared(lambda: User.select(User.id, User.name).where(User.id == param("id")))
    LOOKUP().dicts(id=7)

A shape is whatever changes the SQL text rather than a value (staff or not, how many ids an
IN list holds); pass it as arguments: `Prepared(build)(shape...)` calls `build(shape...)`.
Rows come back as tuples or dicts, converted by the selected fields' own python_value where
the driver's value is not already the field's type (integer and text columns are).
"""
import weakref

from peewee import Alias, CharField, Field, FieldAlias, ForeignKeyField, IntegerField, Value

from portal.db import db


class Param:
    """A value bound at execution: stands in the compiled parameter list."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def param(name: str) -> Value:
    return Value(Param(name), converter=False)


class Compiled:
    __slots__ = ("query", "sql", "slots", "names", "converters")

    def __init__(self, query, database):
        self.query = query
        self.sql, raw = database.get_sql_context().sql(query).query()
        self.slots = [(value.name, None) if isinstance(value, Param) else (None, value)
                      for value in raw]
        self.names, self.converters = [], []
        for node in getattr(query, "_returning", ()):
            # The aliased node itself: a cast of a field is not read by the field.
            field = node.node if isinstance(node, Alias) else node
            if isinstance(field, FieldAlias):
                field = field.field
            self.names.append(getattr(node, "_alias", None) or getattr(field, "name", None))
            self.converters.append(_converter(field))

    def execute(self, params: dict):
        values = [params[name] if name is not None else constant
                  for name, constant in self.slots]
        return db.execute_sql(self.sql, values)

    def tuples(self, **params) -> list[tuple]:
        rows = self.execute(params).fetchall()
        converters = self.converters
        if not any(converters):
            return rows
        return [tuple(value if convert is None or value is None else convert(value)
                      for convert, value in zip(converters, row, strict=True))
                for row in rows]

    def dicts(self, **params) -> list[dict]:
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.tuples(**params)]

    def first(self, **params) -> dict | None:
        rows = self.dicts(**params)
        return rows[0] if rows else None

    def scalar(self, **params):
        rows = self.tuples(**params)
        return rows[0][0] if rows else None

    def models(self, **params) -> list:
        """Rows as the query would give them (model instances with their joined models),
        read by peewee's own cursor wrapper for the query."""
        return list(self.query._get_cursor_wrapper(self.execute(params)))

    def run(self, **params) -> int:
        """For writes: the number of rows changed."""
        return self.execute(params).rowcount


# What both drivers already return as these fields' own Python type: int for an integer
# column, str for a text one. Converting their values again is most of what reading a row
# costs, so they are passed through.
_AS_RETURNED = {IntegerField.adapt, CharField.adapt}


def _converter(field):
    """The field's python_value, or None when the driver's value needs none."""
    if not isinstance(field, Field):
        return None
    if isinstance(field, ForeignKeyField):
        return _converter(field.rel_field)
    if type(field).python_value is Field.python_value and type(field).adapt in _AS_RETURNED:
        return None
    return field.python_value


class Prepared:
    def __init__(self, build):
        self._build = build
        self._compiled = weakref.WeakKeyDictionary()  # database -> {shape: Compiled}

    def __call__(self, *shape) -> Compiled:
        database = db.obj
        by_shape = self._compiled.get(database)
        if by_shape is None:
            by_shape = self._compiled[database] = {}
        compiled = by_shape.get(shape)
        if compiled is None:
            compiled = by_shape[shape] = Compiled(self._build(*shape), database)
        return compiled
