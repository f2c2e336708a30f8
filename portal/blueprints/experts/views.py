"""The expert directory: find experts by specialism and words (active search: the results
update while typing, and the same address works as a plain page), and an expert's page.

The actions live beside it: asking for an introduction (views_ask.py), an expert's requests
and the email's signed links (views_answer.py), an expert's profile and activity checks
(views_profile.py), the organiser's pages and the expert network (views_manage.py), and
the specialisms (views_specialisms.py).
"""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from portal.blueprints.experts import availability, directory
from portal.blueprints.experts.forms import SearchForm
from portal.blueprints.experts.loaders import get_expert_or_404
from portal.blueprints.experts.services_experts import open_programmes_of
from portal.db import utcnow
from portal.htmx import render_page_or_fragment, wants_fragment

bp = Blueprint("experts", __name__, url_prefix="/experts")


@bp.app_template_filter("expert_response")
def _response(seconds) -> str:
    return availability.response_time(seconds)


def _browse() -> dict:
    form = SearchForm(request.args)
    form.validate()
    q = (form.q.data or "").strip() if not form.q.errors else ""
    specialism = (form.specialism.data or "").strip() if not form.specialism.errors else ""
    now = utcnow()
    results = directory.search(q, specialism, request.args.get("after"), now)
    context = {"form": form, "experts": results.experts, "next_cursor": results.next_cursor,
               "searching": results.searching, "now": now, "describe": availability.describe,
               "last_active": availability.last_active}
    if not wants_fragment():
        context.update(groups=directory.specialism_groups(),
                       my_programmes=list(open_programmes_of(current_user)))
    return context


@bp.get("/")
@login_required
def index():
    return render_page_or_fragment("experts/index.html", "experts/_results.html", **_browse())


@bp.get("/more")
@login_required
def more():
    """The next experts, appended below the list by "Show more experts"."""
    return render_page_or_fragment("experts/index.html", "experts/_expert_rows.html",
                                   **_browse())


@bp.get("/<int:expert_id>")
@login_required
def show(expert_id: int):
    expert = get_expert_or_404(expert_id)
    directory.attach_specialisms([expert])
    now = utcnow()
    return render_template("experts/show.html", expert=expert, now=now,
                           describe=availability.describe, last_active=availability.last_active,
                           available=expert.state == availability.AVAILABLE)
