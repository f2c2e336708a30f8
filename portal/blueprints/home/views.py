"""The landing page, the personal dashboard and the health check."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required
from peewee import PeeweeException

from portal.blueprints.hub.models import Article
from portal.db import db
from portal.groups import Group, GroupMembership
from portal.taxonomy import Topic

bp = Blueprint("home", __name__)

PROGRAMMES = [
    {"name": "Return to work mentoring",
     "summary": "For colleagues about to take, or back from, parental, adoption, carers or "
                "fostering leave. Training, then 6 to 12 months of mentoring with supervision."},
    {"name": "Reciprocal mentoring",
     "summary": "Early-career and senior colleagues across staff groups learn from each other."},
    {"name": "Volunteer experts (Aces)",
     "summary": "Always open: find an expert by specialism and ask for an introduction."},
]


@bp.get("/")
def index():
    return render_template("home/index.html", programmes=PROGRAMMES,
                           topics=list(Topic.ordered()))


@bp.get("/dashboard")
@login_required
def dashboard():
    groups = (Group.select().join(GroupMembership)
              .where(GroupMembership.user == current_user.id).order_by(Group.name))
    topics = list(current_user.topics())
    return render_template(
        "home/dashboard.html", groups=list(groups), topics=topics,
        for_you=list(Article.on_topics(current_user, [t.id for t in topics]).limit(5)),
        bookmarks=list(Article.bookmarked_by(current_user).limit(10)),
        recent=list(Article.listed_for(current_user)
                    .order_by(Article.updated_at.desc(), Article.id.desc()).limit(5)))


@bp.get("/accessibility")
def accessibility():
    return render_template("home/accessibility.html")


@bp.get("/healthz")
def healthz():
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT 1")
    except (PeeweeException, OSError, RuntimeError):
        return "database unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}
