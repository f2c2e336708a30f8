"""Rendered fragments that many people see the same way, kept in the database for reuse.

A hub list, an article, a library list, a board's threads or the webinars list look the same
to everyone in the same audience (role and groups: portal.viewer.audience_key) until the
content they show changes. They are rendered once, stored in the Fragment table (shared by
every worker and every app server, like the rate-limit counters) and reused while the
content's version is unchanged.

Versions: each area (hub, library, boards, webinars) has a counter in ContentVersion. A
trigger on every table an area's fragments show raises it in the same transaction as the
write, whatever code makes the write (services, moderation, migrations, a bulk import), so a
fragment stamped with older versions is never served again. On PostgreSQL the triggers are
deferred to the commit, so the counter row is the last lock a transaction takes and
concurrent writers cannot deadlock on it.

What a fragment must not hold: anything about one person. Fragments are rendered with a
stand-in for current_user that knows only the role and groups and fails on anything else
(`Audience`), and with a placeholder for the CSRF token. Per-person parts are holes, written
by `hole(kind, arg)` and filled on each request by `fill`. Time-dependent fragments (the
webinars list changes as booking closes) say until when they hold (`valid_until`).
"""
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import g, render_template, request, session
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import (
    JOIN,
    SQL,
    BigIntegerField,
    Case,
    CharField,
    DateTimeField,
    Select,
    SqliteDatabase,
    TextField,
)

from portal import csrf, notifications, shell
from portal.db import BaseModel, utcnow
from portal.htmx import wants_fragment
from portal.kept import kept, kept_in, put
from portal.prepared import Prepared, param
from portal.viewer import audience_key

HUB, LIBRARY, BOARDS, WEBINARS = "hub", "library", "boards", "webinars"
# A person's dashboard, less what changes with the clock (home.dashboard.timely): one
# version for everyone's, so a write to one person's rows renders each dashboard once more.
DASHBOARD = "dashboard"
AREAS = (HUB, LIBRARY, BOARDS, WEBINARS, DASHBOARD)
# The tables each area's fragments show. A write to one raises those areas' versions.
TABLE_AREAS = {
    "article": (HUB,), "article_topic": (HUB,), "article_resource": (HUB,),
    "topic": (HUB, LIBRARY), "resource": (LIBRARY,), "resource_file": (LIBRARY,),
    "resource_topic": (LIBRARY,), "group": (LIBRARY, DASHBOARD),
    "group_membership": (DASHBOARD,), "user_topic": (DASHBOARD,), "bookmark": (DASHBOARD,),
    "application": (DASHBOARD,), "programme": (DASHBOARD,), "cohort": (DASHBOARD,),
    "board": (BOARDS,), "thread": (BOARDS,), "post": (BOARDS,),
    "webinar_session": (WEBINARS,), "webinar_booking": (WEBINARS,),
    "audience_group": AREAS, "setting": AREAS,
}
# People's names show on the boards' lists (who started a thread, who posted last).
USER_AREAS = (BOARDS,)
KEEP_DAYS = 2  # a fragment written longer ago is removed (one still in use renders again)


class ContentVersion(BaseModel):
    area = CharField(max_length=20, primary_key=True)
    version = BigIntegerField()


class Fragment(BaseModel):
    key = CharField(max_length=64, unique=True)
    stamp = CharField(max_length=200)  # the areas' versions it was rendered at
    valid_until = DateTimeField(null=True)
    html = TextField()
    meta = TextField(default="null")  # JSON: what the page needs besides the HTML
    written_at = DateTimeField(default=utcnow, index=True)


# --- the triggers --------------------------------------------------------------------------

# A new row starts at the time in milliseconds, so a counter removed and made again never
# repeats a number an old fragment was stamped with.
SQLITE_FIRST = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION tandem_bump_content_version() RETURNS trigger
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  area_name text;
BEGIN
  FOREACH area_name IN ARRAY TG_ARGV LOOP
    IF current_setting('tandem.bumped_' || area_name, true) IS DISTINCT FROM 'y' THEN
      INSERT INTO content_version (area, version)
        VALUES (area_name, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
        ON CONFLICT (area) DO UPDATE SET version = content_version.version + 1;
      PERFORM set_config('tandem.bumped_' || area_name, 'y', true);
    END IF;
  END LOOP;
  RETURN NULL;
END $$"""


def _watched() -> list[tuple[str, str, tuple[str, ...]]]:
    """(table, events, areas) for every trigger."""
    watched = [(table, "INSERT OR UPDATE OR DELETE", areas)
               for table, areas in TABLE_AREAS.items()]
    return watched + [("user", "UPDATE OF name OR DELETE", USER_AREAS)]


def create_triggers(database) -> None:
    """Migrations and the test set-up call this after creating the tables."""
    database = getattr(database, "obj", database)
    if isinstance(database, SqliteDatabase):
        for table, events, areas in _watched():
            bump = " ".join(
                f"INSERT INTO content_version (area, version) VALUES ('{area}', {SQLITE_FIRST})"
                f" ON CONFLICT (area) DO UPDATE SET version = version + 1;" for area in areas)
            for event in events.split(" OR "):
                name = f"content_version_{table}_{event.split()[0].lower()}"
                database.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event} '
                                     f'ON "{table}" BEGIN {bump} END')
        return
    database.execute_sql(POSTGRES_FUNCTION)
    for table, events, areas in _watched():
        arguments = ", ".join(f"'{area}'" for area in areas)
        database.execute_sql(f'DROP TRIGGER IF EXISTS content_version ON "{table}"')
        database.execute_sql(
            f'CREATE CONSTRAINT TRIGGER content_version AFTER {events} ON "{table}" '
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION tandem_bump_content_version({arguments})")


def drop_triggers(database) -> None:
    database = getattr(database, "obj", database)
    for table, events, _areas in _watched():
        if isinstance(database, SqliteDatabase):
            for event in events.split(" OR "):
                name = f"content_version_{table}_{event.split()[0].lower()}"
                database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        else:
            database.execute_sql(f'DROP TRIGGER IF EXISTS content_version ON "{table}"')
    if not isinstance(database, SqliteDatabase):
        database.execute_sql("DROP FUNCTION IF EXISTS tandem_bump_content_version()")


# --- rendering for an audience -------------------------------------------------------------

class PersonalValueInSharedFragment(AttributeError):
    """A shared fragment asked for something about one person."""


class Audience:
    """current_user while a shared fragment renders: the role and groups, nothing else."""

    is_authenticated, is_active, is_anonymous = True, True, False

    def __init__(self, user):
        self.role = user.role
        self.group_ids = user.group_ids

    def is_suspended(self) -> bool:
        """Suspended people are never shown a shared fragment (see shared_page)."""
        return False

    def __getattr__(self, name):
        raise PersonalValueInSharedFragment(
            f"current_user.{name} in a fragment shared by an audience: make it a hole")


class SomeoneElse:
    """A signed-in member who wrote none of what is shown: who a shared fragment shows a
    post's or comment's actions for (the view fills in the person's own)."""

    is_authenticated, is_active, is_anonymous = True, True, False
    id, role, group_ids = 0, "member", ()

    def is_suspended(self) -> bool:
        return False


someone_else = SomeoneElse()
CSRF_HOLE = "<!--tandem:csrf-->"
AROUND_END = "<!--/tandem-around-->"


def sharing() -> bool:
    return bool(g.get("shared_render"))


def csrf_token() -> str:
    """The `csrf_token()` of templates: a hole while a shared fragment renders."""
    return Markup(CSRF_HOLE) if sharing() else csrf.token()


def hole(kind: str, arg="") -> Markup:
    """Where a person's own value goes; `fill` puts it in."""
    return Markup("<!--tandem:{}:{}-->").format(kind, arg)


def hole_around(kind: str, arg, content) -> Markup:
    """A hole with what it shows unless `fill` is told otherwise for this person."""
    return (Markup("<!--tandem-around:{}:{}-->").format(kind, arg) + content
            + Markup(AROUND_END))


def with_token_hole(render: Callable[[], str]) -> str:
    """`render()`'s HTML with a hole for the CSRF token: for HTML a process keeps
    (portal.kept) and `fill`s on each use."""
    g.shared_render = True
    try:
        return render()
    finally:
        g.shared_render = False


def render_shared(template: str, person: bool = False, **context) -> str:
    """Render for the audience of the person asking, never for the person; or, for a
    fragment kept for one `person`, for them (the CSRF token is still a hole)."""
    return with_token_hole(lambda: render_template(
        template, current_user=current_user if person else Audience(current_user),
        shared_render=True, audience_only=not person, **context))


SPLIT = "<!--tandem-split-->"  # between parts rendered together and split by a view
FORMAT = 3  # how fragments are stored: part of every key, so a change never misreads one


EMPTY = object()  # a hole that shows nothing, or for a hole_around what it shows otherwise


class Only(dict):
    """Holes of one kind filled for these arguments only (argument -> value; for a
    hole_around, what it shows instead, or a function of what it shows otherwise); the
    kind's other holes are EMPTY. The values are worked out before filling, so filling is
    a lookup per hole."""


def fill(html: str, holes: dict | None = None, keep: bool = False) -> Markup:
    """Put this person's values into a fragment's holes: the CSRF token, and each `kind`
    from `holes` (a value, or a function of the hole's argument; for a hole_around, of
    the argument and what the hole shows otherwise, its own holes filled). Kinds given
    EMPTY (what most people see: nothing new, nothing of theirs) show nothing, or what a
    hole_around shows otherwise. Values go in as they are, but for the CSRF token's hole,
    which a value may hold. With `keep`, for a fragment many requests fill, the process
    keeps it split at its holes: splitting costs several times what filling does."""
    if "<!--tandem" not in html:
        return Markup(html)
    return _fill(_kept_pieces(html) if keep else _split(html), holes or {})


def _kept_pieces(html: str) -> list:
    return kept("fragment_pieces", html, lambda: _split(html))


def _fill(pieces: list, holes: dict) -> Markup:
    return Markup("".join(_filled(pieces, holes)))


def _filled(pieces: list, holes: dict) -> list[str]:
    """The texts of the page, its holes filled, in order."""
    token = []  # the CSRF token, worked out at most once

    def csrf_value() -> str:
        if not token:
            token.append(csrf.token())
        return token[0]

    return _fill_pieces(pieces, holes, csrf_value, [])


def _with_utf8(pieces: list) -> tuple[list, dict]:
    """The pieces, and each text in them (holes' included) encoded as UTF-8: for a page a
    process keeps, so that each response encodes only what filling put in. A page with one
    character beyond Latin-1 is stored by Python at two bytes a character, and encoding it
    whole cost more than filling it."""
    utf8 = {}

    def add(pieces: list) -> None:
        for piece in pieces:
            if type(piece) is str:
                utf8[piece] = piece.encode()
            elif piece[2] is not None:
                add(piece[2])
                if piece[3] is not None:
                    utf8[piece[3]] = piece[3].encode()

    add(pieces)
    return pieces, utf8


def _fill_utf8(kept_pieces: tuple[list, dict], holes: dict) -> bytes:
    """The page as UTF-8, its holes filled (kept_pieces: from _with_utf8)."""
    pieces, utf8 = kept_pieces
    known = utf8.get
    return b"".join([known(text) or text.encode() for text in _filled(pieces, holes)])


PIECE = re.compile(r"<!--tandem-around:([a-z-]+):([^>]*?)-->|<!--/tandem-around-->"
                   r"|<!--tandem:([a-z-]+)(?::([^>]*?))?-->")


def _split(html: str) -> list:
    """The text between holes, and each hole as (kind, argument, pieces, text): pieces is
    None for a hole, and for a hole_around what it shows otherwise, split the same way;
    text is that joined when it holds no holes, so filling need not walk it."""
    html = str(html)  # pieces of Markup would not be str to the walk
    top: list = []
    open_pieces, position = [top], 0
    for match in PIECE.finditer(html):
        open_pieces[-1].append(html[position:match.start()])
        position = match.end()
        around_kind, around_arg, kind, arg = match.groups()
        if around_kind:
            inner: list = []
            open_pieces[-1].append([around_kind, around_arg, inner, None])
            open_pieces.append(inner)
        elif kind:
            open_pieces[-1].append((kind, arg or "", None, None))
        elif len(open_pieces) > 1:
            open_pieces.pop()
    open_pieces[-1].append(html[position:])
    return _settle(top)


def _settle(pieces: list) -> list:
    """Holes as tuples, each hole_around with its text when what it holds has no holes."""
    settled = []
    for piece in pieces:
        if type(piece) is list:
            kind, arg, inner, _ = piece
            inner = _settle(inner)
            piece = (kind, arg, inner, _text(inner))
        settled.append(piece)
    return settled


def _text(pieces: list) -> str | None:
    """The pieces joined, when none of them is a hole."""
    return "".join(pieces) if all(type(p) is str for p in pieces) else None


def _fill_pieces(pieces: list, holes: dict, csrf_value: Callable[[], str],
                 out: list) -> list:
    append = out.append
    for piece in pieces:
        if type(piece) is str:
            append(piece)
            continue
        kind, arg, inner, text = piece
        if kind == "csrf":
            append(csrf_value())
            continue
        found = holes[kind]
        if inner is None:
            if found is EMPTY:
                continue
            value = str(_hole_value(found, arg))
        elif _shows_otherwise(found, arg):
            if text is None:
                _fill_pieces(inner, holes, csrf_value, out)
            else:
                append(text)
            continue
        else:
            otherwise = text if text is not None else "".join(
                _fill_pieces(inner, holes, csrf_value, []))
            value = str(_around_value(found, arg, otherwise))
        if CSRF_HOLE in value:
            value = value.replace(CSRF_HOLE, csrf_value())
        append(value)
    return out


def _resolve(pieces: list, holes: dict) -> list:
    """The pieces with the kinds in `holes` filled in, and every other hole (the CSRF
    token's among them) left for a later fill: a person's part of a page, which a process
    may keep, so that each request fills only what changes between requests."""
    out: list = []

    def add(piece) -> None:
        if type(piece) is str and out and type(out[-1]) is str:
            out[-1] += piece
        else:
            out.append(piece)

    for piece in pieces:
        if type(piece) is str:
            add(piece)
            continue
        kind, arg, inner, text = piece
        if kind not in holes:
            if inner is not None and text is None:  # holes inside may be in `holes`
                inner = _resolve(inner, holes)
                piece = (kind, arg, inner, _text(inner))
            add(piece)
            continue
        found = holes[kind]
        if inner is None:
            if found is EMPTY:
                continue
            value = _hole_value(found, arg)
        elif _shows_otherwise(found, arg):
            for inside in _resolve(inner, holes):
                add(inside)
            continue
        else:
            otherwise = text if text is not None else _source(_resolve(inner, holes))
            value = _around_value(found, arg, otherwise)
        for inside in _split(value):
            add(inside)
    return out


def _hole_value(found, arg: str):
    """What a hole shows: its kind's value for this argument, or a function's of it."""
    if type(found) is Only:
        return found.get(arg, "")
    return found(arg) if callable(found) else found


def _shows_otherwise(found, arg: str) -> bool:
    """Whether a hole_around shows what it holds, unchanged for this person."""
    return found is EMPTY or (type(found) is Only and arg not in found)


def _around_value(found, arg: str, otherwise: str):
    """What a hole_around shows instead: a value, or what a function makes of the rest."""
    if type(found) is Only:
        found = found[arg]
        return found(otherwise) if callable(found) else found
    return found(arg, otherwise)


def _source(pieces: list) -> str:
    """Pieces written back as HTML with their holes."""
    return "".join(piece if type(piece) is str
                   else CSRF_HOLE if piece[0] == "csrf"
                   else str(hole(piece[0], piece[1])) if piece[2] is None
                   else str(hole_around(piece[0], piece[1], Markup(_source(piece[2]))))
                   for piece in pieces)


# --- the store -----------------------------------------------------------------------------

@dataclass
class Rendered:
    html: str
    meta: object = None
    valid_until: object = None  # naive UTC datetime, or None: until the content changes


def _lookup(areas: int):
    """The areas' versions and the stored fragment, if any, in one query; its HTML and
    meta only if they are not the copy the process holds (written at `held`)."""
    versions = [ContentVersion.select(ContentVersion.version)
                .where(ContentVersion.area == param(f"area{i}")).alias(f"v{i}")
                for i in range(areas)]
    written = Fragment.written_at.cast("TEXT")
    is_held = written == param("held")
    one_row = Select(columns=[SQL("1")]).alias("one_row")
    return (Select(from_list=[one_row], columns=[
        *versions, Fragment.stamp, Fragment.valid_until, written.alias("written"),
        Case(None, [(is_held, None)], Fragment.html).alias("html"),
        Case(None, [(is_held, None)], Fragment.meta).alias("meta")])
            .join(Fragment, JOIN.LEFT_OUTER, on=(Fragment.key == param("key"))))


LOOKUP = Prepared(_lookup)


def _store(key: str, stamp: str, rendered: Rendered) -> None:
    values = {Fragment.stamp: stamp, Fragment.valid_until: rendered.valid_until,
              Fragment.html: rendered.html, Fragment.meta: json.dumps(rendered.meta),
              Fragment.written_at: utcnow()}
    (Fragment.insert({Fragment.key: key, **values})
     .on_conflict(conflict_target=[Fragment.key], update=values).execute())


def cache_key(name: str, args, person: bool = False) -> str:
    """The audience (or, with `person`, the person), the shell around the page (its role's
    navigation, the branding this process shows), the page and its arguments."""
    user = current_user._get_current_object()
    who = [audience_key(user), [user.id, user.name] if person else None]
    text = json.dumps([FORMAT, name, who, shell.key(), args], separators=(",", ":"),
                      default=str)
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def cached(name: str, areas: tuple[str, ...], args, render: Callable[[], Rendered],
           person: bool = False) -> Rendered:
    """The fragment `name` for these arguments and the asker's audience (or, with `person`,
    for the asker alone): stored if it is still current, otherwise rendered by `render()`
    and stored."""
    key = cache_key(name, args, person)
    names = {f"area{i}": area for i, area in enumerate(areas)}
    # The process also holds the fragments it has read, each with when it was written: the
    # store still decides whether one is current, and its HTML is read only when the stored
    # row is not the copy held, which spares reading, decoding and hashing a page each
    # time. A held copy is shared by every request that finds it: what reads its meta
    # never changes it.
    held = kept_in("fragments_held")
    written, copy = held.get(key, ("", None))
    row = LOOKUP(len(areas)).first(key=key, held=written, **names)
    stamp = ".".join(str(row[f"v{i}"]) for i in range(len(areas)))
    if row["stamp"] == stamp and (row["valid_until"] is None
                                  or row["valid_until"] > utcnow()):
        if row["html"] is None:  # the row is the one the process holds
            return copy
        found = Rendered(row["html"], json.loads(row["meta"]), row["valid_until"])
        put(held, key, (row["written"], found))
        return found
    rendered = render()
    _store(key, stamp, rendered)
    return rendered


def purge(days: int = KEEP_DAYS) -> int:
    """Remove fragments written more than `days` ago: searches nobody repeats, pages of
    content long gone. One still in use is rendered again on its next read."""
    return (Fragment.delete()
            .where(Fragment.written_at < utcnow() - dt.timedelta(days=days)).execute())


MODELS = [ContentVersion, Fragment]


# --- whole pages ---------------------------------------------------------------------------

def request_args() -> list:
    """The address's parameters and query string, in a stable order: part of the key of
    whatever they change."""
    return [sorted((request.view_args or {}).items()), sorted(request.args.items(multi=True))]


def shared_page(page: str, fragment: str | None, *, name: str, areas: tuple[str, ...], args,
                context: Callable[[Audience], dict], holes: dict | Callable | None = None,
                status: int = 200, person: bool = False,
                parts: Callable[[object], Hashable] | None = None):
    """A page whose content an audience shares, or for htmx the fragment it swaps in
    (a page without one, `fragment` None, answers htmx with the page).

    `context(audience)` gathers what the templates show, reading the database as the
    audience (never as the person). A dict it returns may carry "valid_until" (a time
    after which the content is out of date) and "meta" (kept with the fragment, for
    `holes`). The whole page is kept, shell included, with holes where the person's name,
    CSRF token, flash messages, notification count and suspension notice go, so a request
    that finds it renders only the notification count. `holes` adds the page's own: a dict
    for `fill`, or a function of the meta that returns one. With `person`, the page is kept
    for the asker alone, for when it shows their own rows. `parts`, for a page whose own
    holes are many and come out the same on most of one person's requests, is a function
    of the meta whose value is everything those holes depend on; `holes` is then a function
    of that value. The process keeps the page with them filled in for each value, and a
    request fills only the header's."""
    user = current_user._get_current_object()
    person = person or user.is_suspended() or not shell.is_plain(user.name)

    def render(template: str) -> Rendered:
        values = context(user if person else Audience(user))
        valid_until, meta = values.pop("valid_until", None), values.pop("meta", None)
        return Rendered(render_shared(template, person, **values), meta, valid_until)

    template = fragment if fragment is not None and wants_fragment() else page
    found = cached(name if template == page else f"{name}:fragment", areas, args,
                   lambda: render(template), person)
    html = found.html
    if parts is None:
        pieces = kept("page_pieces", html, lambda: _with_utf8(_split(html)))
        own = holes(found.meta) if callable(holes) else dict(holes or {})
    else:
        theirs = parts(found.meta)
        pieces = kept("filled_pieces", (html, theirs),
                      lambda: _with_utf8(_resolve(_kept_pieces(html), holes(theirs))))
        own = {}
    if template == page:
        own.update(name=lambda _: escape(user.name), flashes=_flashes,
                   suspension=lambda _: _suspension(user),
                   notifications=lambda _: notifications.badge())
    return _fill_utf8(pieces, own), status


def _flashes(_arg) -> str:
    if "_flashes" not in session:
        return ""
    return render_template("_partials/flashes.html")


def _suspension(user) -> str:
    if not user.is_suspended():
        return ""
    return render_template("_partials/suspension.html")
