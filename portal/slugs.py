"""Unique slugs for things people reach by address (boards, articles): one rule for the
next free slug, and one way to save when someone else takes that slug first."""
from peewee import IntegrityError

from portal.db import db, utcnow
from portal.markup import slugify

MAX_LENGTH = 100


def unique_slug(field, text: str, own_id: int | None = None,
                reserved: frozenset[str] = frozenset()) -> str:
    """The slug for `text` that no other row has in `field`: "title", then "title-2"...
    A reserved word (the address of one of the area's own pages) gets the model's name
    after it: "manage-board"."""
    model = field.model
    base = slugify(text, max_length=MAX_LENGTH)
    if base in reserved:
        base = f"{base}-{model.__name__.lower()}"
    taken = {slug for (slug,) in model.select(field).where(
        field.startswith(base), model.id != (own_id or 0)).tuples()}
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_with_unique_slug(obj, text: str, reserved: frozenset[str] = frozenset()) -> None:
    """Save `obj`, first giving it a slug from `text` if it has none.

    Another save can take the slug between the lookup and this save; the unique index then
    refuses it. PostgreSQL aborts the whole transaction on a failed statement, so the first
    save runs in a savepoint: rolling back to it leaves the caller's transaction usable for
    the retry, with a slug made unique by the time."""
    field = type(obj).slug
    obj.slug = obj.slug or unique_slug(field, text, obj.id, reserved)
    try:
        with db.atomic():
            obj.save()
    except IntegrityError:
        obj.slug = unique_slug(field, f"{text} {utcnow():%Y%m%d%H%M%S}", obj.id, reserved)
        obj.save()
