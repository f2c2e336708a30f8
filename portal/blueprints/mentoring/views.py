"""The pair's space: the list of a person's mentoring relationships and the pair page.

The pair page is made of sections (agreement, sessions, notes, goals, and care: leave,
check-ins and closing), each read by its own module's `section_context` and drawn by its
own `_<section>.html`, so the page's query count is the sum of fixed counts. The actions
of each section live in `views_<section>.py`.
"""
import datetime as dt

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from portal.blueprints.mentoring import agreement, care, goals, notes, sessions
from portal.blueprints.mentoring.loaders import get_pair_or_404
from portal.blueprints.mentoring.models import Relationship

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")

SECTIONS = (agreement, sessions, notes, goals, care)


@bp.get("/")
@login_required
def index():
    return render_template("mentoring/index.html",
                           relationships=list(Relationship.of_person(current_user)))


@bp.get("/<int:relationship_id>")
@login_required
def show(relationship_id: int):
    rel = get_pair_or_404(relationship_id)
    today = dt.date.today()
    context = {}
    for section in SECTIONS:
        context.update(section.section_context(rel, current_user, today))
    return render_template("mentoring/show.html", rel=rel, partner=rel.partner_of(current_user),
                           today=today, **context)
