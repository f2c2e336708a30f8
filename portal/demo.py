"""Idempotent demo content: topics, groups and one account per role."""
from pathlib import Path

from portal import audience, uploads
from portal.blueprints.accounts.models import User, UserTopic
from portal.blueprints.boards.demo import ensure_boards
from portal.blueprints.experts.demo import ensure_experts
from portal.blueprints.hub import services as hub_services
from portal.blueprints.hub.models import Article
from portal.blueprints.library import services as library_services
from portal.blueprints.library.models import FILE, LINK, Resource
from portal.blueprints.webinars.demo import ensure_webinars
from portal.db import db, utcnow
from portal.groups import Group, GroupMembership
from portal.markup import slugify
from portal.taxonomy import THEMES, Topic

DEMO_PASSWORD = "tandem-demo-2026"
DEMO_ACCOUNTS = [
    ("admin@tandem.example", "Ada Admin", "admin"),
    ("staff@tandem.example", "Sam Staff", "staff"),
    ("moderator@tandem.example", "Mo Moderator", "moderator"),
    ("mentor@tandem.example", "Priya Mentor", "member"),
    ("mentee@tandem.example", "Tom Mentee", "member"),
]
DEMO_GROUPS = {
    "Mentors": ("Everyone trained to mentor.", ["mentor@tandem.example"]),
    "Return to Work 2027 cohort": ("Mentors and mentees in the 2027 return-to-work cohort.",
                                   ["mentor@tandem.example", "mentee@tandem.example"]),
}


def ensure_topics() -> None:
    rows = [{"name": name, "slug": slugify(name), "position": i}
            for i, name in enumerate(THEMES)]
    Topic.insert_many(rows).on_conflict_ignore().execute()


def ensure_user(email: str, name: str, role: str, password: str, method: str):
    user = User.by_email(email)
    created = user is None
    with db.atomic():
        if created:
            user = User(email=User.normalise_email(email), name=name)
        user.name, user.role = name, role
        user.email_verified_at = user.email_verified_at or utcnow()
        user.set_password(password, method)
        user.save()
    return user, created


ARTICLES_DIR = Path(__file__).resolve().parent / "demo_content" / "hub"


def read_article_file(path: Path) -> dict:
    """A Markdown file with a front matter block of `key: value` lines between `---`."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = dict(line.split(":", 1) for line in front.strip().splitlines())
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    meta["topics"] = [t.strip() for t in meta.get("topics", "").split(";") if t.strip()]
    meta["body"] = body.strip() + "\n"
    return meta


def ensure_articles(author) -> int:
    """Publish each demo article once, by title."""
    topics = {t.name: t.id for t in Topic.select()}
    groups = {g.name: g.id for g in Group.select()}
    added = 0
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        meta = read_article_file(path)
        if Article.select().where(Article.title == meta["title"]).exists():
            continue
        kind, _, group_name = meta.get("audience", audience.SIGNED_IN).partition(":")
        article = hub_services.save_article(
            author, None, title=meta["title"], summary=meta["summary"], body=meta["body"],
            kind=meta.get("kind", "guide"), topic_ids=[topics[t] for t in meta["topics"]],
            audience_value=kind, group_ids=[groups[group_name]] if group_name else [],
            review_by=None, note="Demo content")
        hub_services.publish_now(author, article)
        added += 1
    return added


LIBRARY_DIR = Path(__file__).resolve().parent / "demo_content" / "library"
DEMO_LINKS = [
    ("NHS Employers: flexible working", "https://www.nhsemployers.org/",
     "Guidance for employers and staff on flexible working in the NHS."),
    ("Acas: maternity, paternity and shared parental leave", "https://www.acas.org.uk/",
     "Your rights before, during and after leave, from the Advisory, Conciliation and "
     "Arbitration Service."),
]
DEMO_FILES = [
    ("Mentoring agreement template", "mentoring-agreement-template.txt",
     "A one-page agreement for a mentor and mentee to fill in at their first meeting."),
    ("Return to work checklist", "return-to-work-checklist.csv",
     "Who does what before, during and after leave, as a spreadsheet."),
]


def ensure_resources(author, upload_dir: str) -> int:
    """Add each demo resource once, by title: two links and two small files."""

    def data(title, description, kind, url=""):
        return library_services.ResourceData(
            title=title, description=description, kind=kind, url=url, topic_ids=[],
            audience_value=audience.SIGNED_IN, group_ids=[], cohort_id=None, article_ids=[])

    added = 0
    for title, url, description in DEMO_LINKS:
        if not Resource.select().where(Resource.title == title).exists():
            library_services.create_resource(author, data(title, description, LINK, url), None,
                                     upload_dir)
            added += 1
    for title, name, description in DEMO_FILES:
        if not Resource.select().where(Resource.title == title).exists():
            with open(LIBRARY_DIR / name, "rb") as handle:
                checked = uploads.receive(handle, name, upload_dir, 1024 * 1024)
            library_services.create_resource(author, data(title, description, FILE), checked,
                                     upload_dir)
            added += 1
    return added


def seed(method: str = "scrypt", upload_dir: str | None = None) -> list[tuple[str, str]]:
    with db.atomic():
        ensure_topics()
        people = {}
        for email, name, role in DEMO_ACCOUNTS:
            people[email] = User.by_email(email) or ensure_user(
                email, name, role, DEMO_PASSWORD, method)[0]
        for name, (description, members) in DEMO_GROUPS.items():
            group, _ = Group.get_or_create(name=name, defaults={"description": description})
            GroupMembership.insert_many(
                [{"group": group.id, "user": people[e].id} for e in members]
            ).on_conflict_ignore().execute()
        topics = list(Topic.ordered().limit(3))
        UserTopic.insert_many(
            [{"user": people["mentor@tandem.example"].id, "topic": t.id} for t in topics]
        ).on_conflict_ignore().execute()
        ensure_articles(people["staff@tandem.example"])
        ensure_boards(people)
        ensure_webinars(people)
        from portal.blueprints.programmes.demo import DEMO_MEMBERS, ensure_programmes

        for email, name in DEMO_MEMBERS:
            people[email] = User.by_email(email) or ensure_user(
                email, name, "member", DEMO_PASSWORD, method)[0]
        ensure_programmes(people)
        from portal.blueprints.mentoring.demo import ensure_pairs

        ensure_pairs(people)
        if upload_dir:
            ensure_resources(people["staff@tandem.example"], upload_dir)
        ensure_experts(people)
    return [(email, role) for email, _, role in DEMO_ACCOUNTS]
