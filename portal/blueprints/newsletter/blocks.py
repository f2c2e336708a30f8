"""What an issue links to: hub articles, library resources, upcoming webinars and busy
board threads. Tandem suggests those new since the last issue; staff pick and order them.

Each block keeps its own audience, and each person's copy leaves out the blocks whose
audience excludes them. The rule is the one the areas' own pages apply
(`audience.visible_to`), turned around to list people (`audience.readers`), so nobody is
sent a link to something they may not see; and a block whose thing has since been
unpublished, hidden, cancelled or has passed is left out of every copy.
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import SQL, fn

from portal import audience
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import VISIBLE, Board, Post, Thread
from portal.blueprints.hub.models import PUBLISHED, Article
from portal.blueprints.library.models import Resource
from portal.blueprints.webinars import times
from portal.blueprints.webinars.models import SCHEDULED, WebinarSession
from portal.groups import Group
from portal.links import path_for

ARTICLE, RESOURCE, WEBINAR, THREAD = "article", "resource", "webinar", "thread"
KIND_LABELS = {ARTICLE: "Knowledge hub", RESOURCE: "Library", WEBINAR: "Webinar",
               THREAD: "On the boards"}
SUGGESTED = 10  # per kind
FIRST_ISSUE_DAYS = 30  # with no issue before, suggest what is this new
WEBINAR_DAYS = 60  # upcoming webinars this far ahead


@dataclass
class Block:
    kind: str
    object_id: int
    title: str
    summary: str
    path: str
    note: str  # when a webinar is, how busy a thread has been
    owner: object  # the row whose audience decides (a thread's board)
    model: type
    audience_label: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def readers(self):
        return audience.readers(self.model, self.owner)


@dataclass
class Copy:
    """One person's copy of an issue: the blocks they may see, and those left out."""

    blocks: list[Block]
    left_out: list[Block] = field(default_factory=list)


def _article(a, note="") -> Block:
    return Block(ARTICLE, a.id, a.title, a.summary, path_for("hub.show", slug=a.slug), note,
                 a, Article)


def _resource(r, note="") -> Block:
    return Block(RESOURCE, r.id, r.title, r.description,
                 path_for("library.show", resource_id=r.id), note, r, Resource)


def _webinar(s, note="") -> Block:
    return Block(WEBINAR, s.id, s.title, s.description,
                 path_for("webinars.show", session_id=s.id),
                 note or times.fmt_span(s.starts_at, s.ends_at), s, WebinarSession)


def _thread(t, note="") -> Block:
    return Block(THREAD, t.id, t.title, f"On {t.board.name}",
                 path_for("boards.thread", thread_id=t.id), note, t.board, Board)


def _articles():
    return Article.select(Article.id, Article.title, Article.slug, Article.summary,
                          Article.audience, Article.published_at).where(
        Article.status == PUBLISHED)


def _webinars(now: dt.datetime):
    return WebinarSession.select().where(WebinarSession.status == SCHEDULED,
                                         WebinarSession.starts_at > now)


def _threads():
    return (Thread.select(Thread, Board).join(Board)
            .where(Thread.hidden == False, Thread.held == False))  # noqa: E712


def since_last_issue(last_started_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    return last_started_at or now - dt.timedelta(days=FIRST_ISSUE_DAYS)


def suggest(since: dt.datetime, now: dt.datetime) -> list[Block]:
    """What is new since `since`: published articles, added resources, webinars coming up,
    and the threads with the most posts. Five queries, with the audiences labelled."""
    articles = [_article(a) for a in _articles().where(Article.published_at > since)
                .order_by(Article.published_at.desc(), Article.id.desc()).limit(SUGGESTED)]
    resources = [_resource(r) for r in Resource.select().where(Resource.created_at > since)
                 .order_by(Resource.created_at.desc(), Resource.id.desc()).limit(SUGGESTED)]
    webinars = [_webinar(s) for s in _webinars(now).where(
        WebinarSession.starts_at <= now + dt.timedelta(days=WEBINAR_DAYS))
        .order_by(WebinarSession.starts_at, WebinarSession.id).limit(SUGGESTED)]
    recent = (Post.select(Post.thread, fn.COUNT(Post.id).alias("n"))
              .where(Post.created_at > since, Post.status == VISIBLE,
                     Post.deleted == False)  # noqa: E712
              .group_by(Post.thread).alias("recent"))
    busy = (_threads().select_extend(recent.c.n.alias("new_posts").bind_to(Thread))
            .join(recent, on=(recent.c.thread_id == Thread.id), src=Thread)
            .order_by(SQL("new_posts").desc(), Thread.id.desc()).limit(SUGGESTED))
    threads = [_thread(t, f"{t.new_posts} new post{'s' if t.new_posts != 1 else ''}")
               for t in busy]
    return label_audiences(articles + resources + webinars + threads)


def load(chosen: list[tuple[str, int]], now: dt.datetime) -> list[Block]:
    """The chosen blocks, in the order given, that can still go out: one query per kind.
    Unpublished articles, hidden or held threads, cancelled or past webinars and deleted
    things are left out."""
    ids = {kind: [object_id for k, object_id in chosen if k == kind] for kind in KIND_LABELS}
    found: dict[tuple[str, int], Block] = {}
    if ids[ARTICLE]:
        found |= {(ARTICLE, a.id): _article(a)
                  for a in _articles().where(Article.id.in_(ids[ARTICLE]))}
    if ids[RESOURCE]:
        found |= {(RESOURCE, r.id): _resource(r)
                  for r in Resource.select().where(Resource.id.in_(ids[RESOURCE]))}
    if ids[WEBINAR]:
        found |= {(WEBINAR, s.id): _webinar(s)
                  for s in _webinars(now).where(WebinarSession.id.in_(ids[WEBINAR]))}
    if ids[THREAD]:
        found |= {(THREAD, t.id): _thread(t)
                  for t in _threads().where(Thread.id.in_(ids[THREAD]))}
    return [found[pair] for pair in chosen if pair in found]


def label_audiences(blocks: list[Block]) -> list[Block]:
    """Say who each block is for, for the staff pages (one query for the group names)."""
    grouped = [b for b in blocks if b.owner.audience == audience.GROUPS]
    names: dict[tuple[str, int], list[str]] = {}
    if grouped:
        rows = (audience.AudienceGroup.select(audience.AudienceGroup, Group.name).join(Group)
                .where(audience.AudienceGroup.object_id.in_({b.owner.id for b in grouped}))
                .order_by(Group.name))
        for row in rows:
            names.setdefault((row.object_type, row.object_id), []).append(row.group.name)
    for block in blocks:
        if block.owner.audience == audience.GROUPS:
            members = names.get((audience.object_type(block.model), block.owner.id), [])
            block.audience_label = "Members of " + (", ".join(members) or "no group")
        else:
            block.audience_label = dict(audience.CHOICES).get(block.owner.audience, "")
    return blocks


def allowed(blocks: list[Block], user_ids: list[int]) -> list[set[int]]:
    """For each block, which of these people may see it: one query per block whose
    audience is narrower than everyone signed in."""
    everyone = set(user_ids)
    result = []
    for block in blocks:
        if block.owner.audience == audience.SIGNED_IN:
            result.append(everyone)
            continue
        result.append({uid for (uid,) in User.select(User.id).where(
            User.id.in_(user_ids or [0]), block.readers()).tuples()})
    return result


def copy_for(blocks: list[Block], user_id: int) -> Copy:
    """One person's copy (the preview, the archive page)."""
    shown = allowed(blocks, [user_id])
    return Copy([b for b, people in zip(blocks, shown, strict=True) if user_id in people],
                [b for b, people in zip(blocks, shown, strict=True) if user_id not in people])
