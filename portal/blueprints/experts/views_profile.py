"""An expert's own profile: specialisms, bio and how many learners they take; where they
stand (and what is missing before they are listed); pausing, coming off the list and back;
and answering an activity check, from the profile or from the email's signed links
(signed in or not: see views_answer.py for why a link asks for a button press)."""
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import settings
from portal.blueprints.experts import directory, services_checks, services_experts
from portal.blueprints.experts.availability import LABELS, describe
from portal.blueprints.experts.forms import CheckAnswerForm, PauseForm, ProfileForm
from portal.blueprints.experts.loaders import get_open_programme_or_404, standing_of
from portal.blueprints.experts.models import (
    CHECK_ANSWERS,
    INDUCTION,
    PAUSE,
    ActivityCheck,
    Expert,
    ExpertWebinar,
)
from portal.blueprints.experts.views import bp
from portal.blueprints.programmes.models import Programme
from portal.blueprints.webinars.models import SCHEDULED, WebinarSession
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.signed_links import LinkProblem, problem_page

THANKS = {
    "yes": "Thank you: you are still on the list, and learners can find you.",
    "pause": "Thank you: you are paused, and listed again on the date you chose.",
    "off": "Thank you for all you have done. You are off the list; you can come back from "
           "your expert profile at any time.",
}


def _place_or_404(programme_id: int):
    programme = get_open_programme_or_404(programme_id)
    if services_experts.expert_place(current_user, programme.id) is None:
        abort(404)
    return programme


def _own_expert_or_404(programme_id: int) -> Expert:
    _place_or_404(programme_id)
    return (Expert.get_or_none(Expert.user == current_user.id,
                               Expert.programme == programme_id) or abort(404))


@bp.get("/profile")
@login_required
def profiles():
    programmes = list(services_experts.open_programmes_of(current_user))
    if len(programmes) == 1:
        return redirect(url_for("experts.profile", programme_id=programmes[0].id), 303)
    return render_template("experts/profiles.html", programmes=programmes)


def _context(programme, expert, now) -> dict:
    standing = (Expert.with_standing(now).where(Expert.id == expert.id).first()
                if expert else None)
    inductions = list(ExpertWebinar.for_programme(programme, INDUCTION)
                      .where(WebinarSession.status == SCHEDULED, WebinarSession.ends_at > now))
    check = services_checks.pending_for(expert.id, now) if expert else None
    return {"programme": programme, "expert": standing, "now": now, "check": check,
            "state": standing_of(standing, now) if standing else None,
            "labels": LABELS, "describe": describe, "inductions": inductions,
            "groups": directory.specialism_groups(), "empty_form": EmptyForm(),
            "pause_form": PauseForm(formdata=None, data={
                "until": now.date() + dt.timedelta(days=28)}),
            "check_form": CheckAnswerForm(formdata=None, prefix="check", data={
                "until": now.date() + dt.timedelta(days=28)}),
            "answer_days": settings.get("expert_check_answer_days"),
            "answers": CHECK_ANSWERS}


@bp.route("/profile/<int:programme_id>", methods=["GET", "POST"])
@login_required
def profile(programme_id: int):
    programme = _place_or_404(programme_id)
    expert = Expert.get_or_none(Expert.user == current_user.id, Expert.programme == programme.id)
    current = ({"bio": expert.bio, "capacity": expert.capacity,
                "specialisms": [link.specialism_id for link in expert.specialism_links]}
               if expert and request.method == "GET" else None)
    form = ProfileForm(data=current)
    context = _context(programme, expert, utcnow())
    form.specialisms.choices = [(s.id, s.name) for _, specs in context["groups"] for s in specs]
    if form.validate_on_submit():
        try:
            services_experts.save_profile(current_user, programme.id, services_experts.Profile(
                bio=form.bio.data, capacity=form.capacity.data,
                specialism_ids=form.specialisms.data))
        except services_experts.ExpertRefused as refused:
            form.form_errors.append(str(refused))
        else:
            flash("Your expert profile has been saved.", "success")
            return redirect(url_for("experts.profile", programme_id=programme.id), 303)
    return render_template("experts/profile.html", form=form, **context), \
        422 if form.errors or form.form_errors else 200


def _back(programme_id: int, anchor: str = "availability"):
    return redirect(url_for("experts.profile", programme_id=programme_id, _anchor=anchor), 303)


@bp.post("/profile/<int:programme_id>/pause")
@login_required
def pause(programme_id: int):
    expert = _own_expert_or_404(programme_id)
    form = PauseForm()
    if form.validate_on_submit():
        services_experts.pause(expert, form.until.data, dt.date.today())
        flash(f"You are paused until {form.until.data.strftime('%-d %B %Y')}.", "success")
        return _back(programme_id)
    context = _context(expert.programme, expert, utcnow())
    context["pause_form"] = form
    return render_template("experts/profile.html", form=_profile_form(expert, context),
                           **context), 422


def _profile_form(expert: Expert, context: dict) -> ProfileForm:
    """The profile form as saved, beside another form that failed."""
    form = ProfileForm(formdata=None, data={
        "bio": expert.bio, "capacity": expert.capacity,
        "specialisms": [link.specialism_id for link in expert.specialism_links]})
    form.specialisms.choices = [(s.id, s.name) for _, specs in context["groups"] for s in specs]
    return form


def _simple(programme_id: int, change, message: str):
    expert = _own_expert_or_404(programme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    change(expert)
    flash(message, "success")
    return _back(programme_id)


@bp.post("/profile/<int:programme_id>/resume")
@login_required
def resume(programme_id: int):
    return _simple(programme_id, services_experts.resume,
                   "Your pause has ended: you are listed again.")


@bp.post("/profile/<int:programme_id>/off")
@login_required
def take_off_list(programme_id: int):
    return _simple(programme_id, services_experts.take_off_list,
                   "You are off the list. Learners you already help keep their space with you.")


@bp.post("/profile/<int:programme_id>/back")
@login_required
def back_on_list(programme_id: int):
    return _simple(programme_id, services_experts.put_back_on_list,
                   "Welcome back: you are on the list again.")


@bp.post("/profile/<int:programme_id>/checks/<int:check_id>")
@login_required
def answer_check(programme_id: int, check_id: int):
    expert = _own_expert_or_404(programme_id)
    row = ActivityCheck.get_or_none(ActivityCheck.id == check_id,
                                    ActivityCheck.expert == expert.id) or abort(404)
    form = CheckAnswerForm(prefix="check")
    if form.validate_on_submit():
        try:
            services_checks.answer(row.id, form.answer.data, form.until.data)
        except services_checks.CheckRefused as refused:
            flash(str(refused), "error")
        else:
            flash(THANKS[form.answer.data], "success")
        return _back(programme_id, "activity-check")
    if not form.until.errors:
        abort(400)
    context = _context(expert.programme, expert, utcnow())
    context["check_form"] = form
    return render_template("experts/profile.html", form=_profile_form(expert, context),
                           **context), 422


# The email's links ---------------------------------------------------------------------------

def _link_problem(problem: LinkProblem):
    return problem_page(
        problem,
        advice=f"Activity check links work once, for {services_checks.LINK_DAYS} days after "
               "we send them. You can also tell us from your expert profile.",
        retry_href=url_for("experts.profiles"), retry_text="Your expert profile")


@bp.route("/checks/<token>", methods=["GET", "POST"])
def check_link(token: str):
    try:
        row, suggested = services_checks.check_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    form = CheckAnswerForm()
    if form.validate_on_submit():
        try:
            services_checks.answer(row.id, form.answer.data, form.until.data)
        except services_checks.CheckRefused as refused:
            if refused.reason not in LinkProblem.MESSAGES:
                abort(400)
            return _link_problem(LinkProblem(refused.reason))
        return redirect(url_for("experts.check_thanks", answer=form.answer.data), 303)
    if request.method == "POST" and not form.until.errors:
        abort(400)
    expert = (Expert.select(Expert, Programme).join(Programme)
              .where(Expert.id == row.expert_id).get())
    pause_form = form if form.until.errors else CheckAnswerForm(formdata=None, data={
        "answer": PAUSE, "until": dt.date.today() + dt.timedelta(days=28)})
    return render_template("experts/check_confirm.html", token=token, suggested=suggested,
                           answers=CHECK_ANSWERS, form=pause_form, programme=expert.programme), \
        422 if form.until.errors else 200


@bp.get("/checks/thanks")
def check_thanks():
    answer = request.args.get("answer", "")
    return render_template("experts/check_thanks.html", answer=CHECK_ANSWERS.get(answer, ""),
                           message=THANKS.get(answer, "Thank you for telling us."))
