"""An expert answers a request: from the email's signed links (signed in or not), from
their requests page, or from their dashboard.

A link opens a page that names the request and asks for one button press, rather than
answering on opening: mail scanners open every link in a message and must not accept or
decline for anyone. The button's form carries a CSRF token from the session cookie, which
a signed-out visitor gets on that page as anyone does. Once answered, lapsed or withdrawn,
the same link shows what happened, as a plain page (never an error): it cannot be used
again (services_introductions answers with a conditional UPDATE).
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.experts import notices
from portal.blueprints.experts import services_introductions as svc
from portal.blueprints.experts.forms import DeclineForm
from portal.blueprints.experts.loaders import get_request_for_expert_or_404
from portal.blueprints.experts.models import (
    PENDING,
    IntroductionRequest,
    RequestItem,
)
from portal.blueprints.experts.views import bp
from portal.blueprints.mentoring.models import STARTED, Relationship
from portal.blueprints.programmes.models import OPEN, Programme
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.signed_links import LinkProblem, load, problem_page

ANSWERS = ("accept", "decline")


def _request_for_token(token: str) -> tuple[IntroductionRequest, str]:
    data = load(notices.REQUEST_LINK, token, "r", None)
    row = (IntroductionRequest.with_people().where(IntroductionRequest.id == data["r"])
           .first())
    if row is None:
        raise LinkProblem("invalid")
    return row, data.get("a") if data.get("a") in ANSWERS else ""


def _link_problem(problem: LinkProblem):
    return problem_page(
        problem,
        advice="Check you used the whole link from the email. You can also answer from "
               "your expert requests once signed in.",
        retry_href=url_for("experts.requests"), retry_text="Your expert requests")


@bp.route("/answer/<token>", methods=["GET", "POST"])
def answer_link(token: str):
    try:
        row, suggested = _request_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    now = utcnow()
    form = DeclineForm()
    if request.method == "POST":
        choice = request.form.get("answer", "")
        if choice not in ANSWERS or not form.validate_on_submit():
            if choice == "decline" and form.message.errors:
                return _confirm(row, token, suggested, form, now), 422
            abort(400)
        _answer(row, choice, form.message.data or "")
        return redirect(url_for("experts.answer_link", token=token), 303)
    if row.state(now) != PENDING:
        return render_template("experts/request_closed.html", row=row, state=row.state(now))
    return _confirm(row, token, suggested, form, now)


def _confirm(row, token: str, suggested: str, form: DeclineForm, now):
    return render_template("experts/answer_confirm.html", row=row, token=token,
                           suggested=suggested, form=form, now=now,
                           items=RequestItem.by_request([row.id])[row.id])


def _answer(row: IntroductionRequest, choice: str, message: str) -> bool:
    learner = row.introduction.learner.name
    try:
        if choice == "accept":
            svc.accept(row.id)
            flash(f"You have accepted {learner}'s request. Thank you! We have told them, and "
                  "your shared space is ready.", "success")
        else:
            svc.decline(row.id, message)
            flash(f"You have declined {learner}'s request. Thank you for letting us know: we "
                  "have told them kindly and suggested other experts.", "success")
    except svc.IntroductionRefused as refused:
        flash(str(refused), "error")
        return False
    return True


@bp.get("/requests")
@login_required
def requests():
    now = utcnow()
    rows = list(IntroductionRequest.waiting_for(current_user, now))
    learners = list(Relationship.with_people().where(
        Relationship.mentor == current_user.id, Relationship.status.in_(list(STARTED)),
        Programme.kind == OPEN))
    return render_template("experts/requests.html", rows=rows, now=now,
                           items_of=RequestItem.by_request([r.id for r in rows]),
                           learners=learners, empty_form=EmptyForm())


@bp.post("/requests/<int:request_id>/accept")
@login_required
def accept(request_id: int):
    row = get_request_for_expert_or_404(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if _answer(row, "accept", ""):
        fresh = IntroductionRequest.get_by_id(row.id)
        return redirect(url_for("mentoring.show", relationship_id=fresh.relationship_id), 303)
    return redirect(url_for("experts.requests"), 303)


@bp.route("/requests/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline(request_id: int):
    row = get_request_for_expert_or_404(request_id)
    form = DeclineForm()
    if form.validate_on_submit():
        _answer(row, "decline", form.message.data or "")
        return redirect(url_for("experts.requests"), 303)
    now = utcnow()
    if row.state(now) != PENDING:
        return render_template("experts/request_closed.html", row=row, state=row.state(now))
    return render_template("experts/decline.html", row=row, form=form,
                           items=RequestItem.by_request([row.id])[row.id]), \
        422 if form.errors else 200
