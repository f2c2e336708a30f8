"""Idempotent demo content: topics, groups and one account per role."""
from portal.blueprints.accounts.models import User, UserTopic
from portal.blueprints.hub.models import THEMES, Topic
from portal.blueprints.staff.models import Group, GroupMembership
from portal.db import db, utcnow

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


def slugify(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


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


def seed(method: str = "scrypt") -> list[tuple[str, str]]:
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
    return [(email, role) for email, _, role in DEMO_ACCOUNTS]
