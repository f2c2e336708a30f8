"""Answering a check-in: from the email's signed link (signed in or not), or from the pair
page.

A link opens a page that names the answer it was for and asks for one button press,
rather than recording the answer on opening: mail scanners open every link in a message,
and a scanner must not answer "we have stopped" for someone or use up their link. The
button's form carries a CSRF token from the session cookie, which a signed-out visitor
gets on that page as anyone does. The answer is recorded exactly once (see
services_checkins.answer); a used, expired or altered link shows the shared link problem
page.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.mentoring import services_checkins
from portal.blueprints.mentoring.forms_care import CheckInForm
from portal.blueprints.mentoring.loaders import get_open_pair_or_404
from portal.blueprints.mentoring.models import CHECKIN_ANSWERS, CheckIn, Relationship
from portal.blueprints.mentoring.views import bp
from portal.blueprints.mentoring.views_care import render_care
from portal.htmx import wants_fragment, with_flashes
from portal.signed_links import LinkProblem, problem_page

THANKS = {
    "on_track": "Good to hear. Keep going, and thank you for telling us.",
    "need_help": "Thank you for telling us. Someone from the programme team will be in touch.",
    "stopped": "Thank you for telling us. Someone from the programme team will be in touch "
               "to talk about what comes next.",
}


def _link_problem(problem: LinkProblem):
    return problem_page(
        problem,
        advice=f"Check-in links work once, for {services_checkins.LINK_DAYS} days after we "
               "send them. You can still tell us how it is going on your pair's page.",
        retry_href=url_for("mentoring.index"), retry_text="Go to your mentoring")


@bp.route("/checkins/<token>", methods=["GET", "POST"])
def checkin_link(token: str):
    try:
        row, suggested = services_checkins.checkin_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            services_checkins.answer(row.id, form.answer.data)
        except services_checkins.CheckInRefused as refused:
            return _link_problem(LinkProblem(refused.reason))
        return redirect(url_for("mentoring.checkin_thanks", answer=form.answer.data), 303)
    if request.method == "POST":
        abort(400)
    rel = Relationship.with_people().where(Relationship.id == row.relationship_id).first()
    person = rel.mentor if row.person_id == rel.mentor_id else rel.mentee
    return render_template("mentoring/checkin_confirm.html", form=form, token=token,
                           rel=rel, partner=rel.partner_of(person), suggested=suggested,
                           answers=CHECKIN_ANSWERS)


@bp.get("/checkins/thanks")
def checkin_thanks():
    answer = request.args.get("answer", "")
    return render_template("mentoring/checkin_thanks.html",
                           answer=CHECKIN_ANSWERS.get(answer, ""),
                           message=THANKS.get(answer, "Thank you for telling us."))


@bp.post("/<int:relationship_id>/checkins/<int:checkin_id>")
@login_required
def answer_checkin(relationship_id: int, checkin_id: int):
    rel = get_open_pair_or_404(relationship_id)
    row = CheckIn.get_or_none(CheckIn.id == checkin_id, CheckIn.relationship == rel.id,
                              CheckIn.person == current_user.id) or abort(404)
    form = CheckInForm(prefix="checkin")
    if not form.validate_on_submit():
        abort(400)  # the buttons always send an answer: only a hand-made request lacks one
    try:
        services_checkins.answer(row.id, form.answer.data)
    except services_checkins.CheckInRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Thank you: you told us “{CHECKIN_ANSWERS[form.answer.data]}”. "
              + THANKS[form.answer.data], "success")
    if wants_fragment():
        page, status = render_care(rel)
        return with_flashes(page), status
    return redirect(url_for("mentoring.show", relationship_id=rel.id, _anchor="care"), 303)
