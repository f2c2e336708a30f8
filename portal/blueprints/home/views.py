"""The landing page, the personal dashboard and the health check."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from peewee import PeeweeException

from portal import fragments
from portal.blueprints.home import dashboard as dashboard_lists
from portal.blueprints.programmes import listing
from portal.db import db
from portal.taxonomy import Topic

bp = Blueprint("home", __name__)

@bp.get("/")
def index():
    return render_template("home/index.html", cards=listing.published_cards(),
                           topics=list(Topic.ordered()))


@bp.get("/dashboard")
@login_required
def dashboard():
    """Kept for the person until something it shows is written (fragments.DASHBOARD), unless
    it shows something the clock alone can change: then rendered on every visit."""
    user = current_user._get_current_object()
    timely = dashboard_lists.timely(user)
    if dashboard_lists.changes_with_time(timely):
        return render_template("home/dashboard.html", **dashboard_lists.context(user, timely))
    return fragments.shared_page(
        "home/dashboard.html", None, name="home.dashboard", person=True, args=[],
        areas=(fragments.HUB, fragments.DASHBOARD),
        context=lambda _user: dashboard_lists.context(user, timely))


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
