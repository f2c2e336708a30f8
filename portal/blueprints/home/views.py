"""The landing page, the personal dashboard and the health check."""
import datetime as dt

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from peewee import PeeweeException

from portal.blueprints.experts.models import IntroductionRequest
from portal.blueprints.hub.models import Article
from portal.blueprints.mentoring import overview
from portal.blueprints.mentoring.models import RELEASED
from portal.blueprints.programmes import listing
from portal.blueprints.programmes import services_pay_it_forward as pay_it_forward
from portal.blueprints.programmes.models import Application
from portal.db import db, utcnow
from portal.forms import EmptyForm
from portal.groups import Group, GroupMembership
from portal.taxonomy import Topic

bp = Blueprint("home", __name__)

@bp.get("/")
def index():
    return render_template("home/index.html", cards=listing.published_cards(),
                           topics=list(Topic.ordered()))


@bp.get("/dashboard")
@login_required
def dashboard():
    groups = (Group.select().join(GroupMembership)
              .where(GroupMembership.user == current_user.id).order_by(Group.name))
    topics = list(current_user.topics())
    applications = list(Application.of_applicant(current_user))
    mentoring = overview.card(current_user, dt.date.today(), utcnow())
    return render_template(
        "home/dashboard.html", groups=list(groups), topics=topics, empty_form=EmptyForm(),
        applications=applications, mentoring=mentoring,
        # the card's relationships hold the released matches too: no query of their own;
        # an expert introduction is not a match (both chose it: there is nothing to decline)
        matches=[item.rel for item in mentoring if item.rel.status == RELEASED
                 and not item.rel.programme.is_open],
        invitations=pay_it_forward.invitations_for(applications),
        expert_requests=list(IntroductionRequest.waiting_for(current_user).limit(5)),
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
