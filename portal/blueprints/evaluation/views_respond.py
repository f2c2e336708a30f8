"""Answering a survey from the emailed link, signed in or not.

The link opens the questions; nothing is recorded by opening it (mail scanners open links).
The form posts to one address for everyone, carrying the link's token in its body, so a
web server's access log does not show whose answer a request carried (see
services_answers for everything else an anonymous answer leaves out). The button's form has
a CSRF token from the session cookie, which a signed-out visitor gets on this page as anyone
does. A used, expired or altered link shows the shared link problem page.
"""
import datetime as dt

from flask import abort, redirect, render_template, request, url_for

from portal.blueprints.evaluation import invitations, services_answers
from portal.blueprints.evaluation.forms import answer_form, given_answers
from portal.blueprints.evaluation.views import bp
from portal.signed_links import LinkProblem, problem_page


def _link_problem(problem: LinkProblem):
    return problem_page(
        problem,
        advice=f"Survey links work once, for {invitations.ANSWER_DAYS} days after we send "
               "them, while the survey is open.",
        retry_href=url_for("home.index"), retry_text="Go to the home page")


def _page(invitation, form, token: str, status: int = 200):
    survey = invitation.survey
    return render_template("evaluation/respond.html", form=form, survey=survey,
                           programme=survey.programme, token=token,
                           questions=list(survey.question_rows())), status


@bp.get("/s/<token>")
def respond(token: str):
    try:
        invitation = invitations.invitation_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    questions = list(invitation.survey.question_rows())
    form = answer_form(questions, invitation.survey.anonymity)
    form.token.data = token
    return _page(invitation, form, token)


@bp.post("/answer")
def answer():
    token = request.form.get("token", "")
    try:
        invitation = invitations.invitation_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    survey = invitation.survey
    questions = list(survey.question_rows())
    form = answer_form(questions, survey.anonymity)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(invitation, form, token, 422)
    anonymous = bool(getattr(form, "anonymous", None) and form.anonymous.data)
    try:
        services_answers.answer(invitation.id, given_answers(form, questions), anonymous,
                                dt.date.today())
    except services_answers.AnswerRefused as refused:
        if refused.reason != "invalid":
            return _link_problem(LinkProblem(refused.reason))
        form.form_errors.append(str(refused))
        return _page(invitation, form, token, 422)
    return redirect(url_for("evaluation.thanks"), 303)


@bp.get("/thanks")
def thanks():
    return render_template("evaluation/thanks.html")
