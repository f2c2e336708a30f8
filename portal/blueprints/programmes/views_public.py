"""The public side of programmes, no log-in needed: the list, one programme's page, and
"tell me when the next cohort opens" (sign up, confirm by the emailed link, unsubscribe).

Confirming works from the link alone, as confirming an account's address does; unsubscribing
asks for one button press first, so a mail scanner that opens links cannot unsubscribe
anyone."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import permissions, ratelimit
from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import listing
from portal.blueprints.programmes import services_alerts as alerts
from portal.blueprints.programmes.forms import AlertForm
from portal.blueprints.programmes.models import Programme
from portal.blueprints.programmes.views import bp
from portal.extensions import csrf
from portal.forms import EmptyForm
from portal.htmx import wants_fragment, with_flashes
from portal.signed_links import LinkProblem, problem_page


def get_programme_or_404(slug: str) -> Programme:
    """A published programme; staff who set programmes up also see unpublished ones."""
    programme = Programme.by_slug(slug)
    if programme is None or not (programme.published
                                 or permissions.can_manage_programmes(current_user)):
        abort(404)
    return programme


@bp.get("/")
def index():
    return render_template("programmes/index.html", cards=listing.published_cards())


def _programme_page(programme: Programme, form: AlertForm, status: int = 200):
    return render_template("programmes/show.html", programme=programme, form=form,
                           roles=listing.role_details(programme),
                           cohort=listing.current_cohort(programme)), status


@bp.get("/<slug>")
def show(slug):
    return _programme_page(get_programme_or_404(slug), AlertForm())


@bp.post("/<slug>/alerts")
def alert_sign_up(slug):
    programme = get_programme_or_404(slug)
    form = AlertForm()
    if not form.validate_on_submit():
        if wants_fragment():
            return render_template("programmes/_alert_form.html", programme=programme,
                                   form=form), 422
        return _programme_page(programme, form, 422)
    _count_sign_up(form.email.data)
    alerts.sign_up(form.email.data, programme)
    flash(f"Check your email: we have sent a link to {form.email.data} to confirm you want "
          f"to hear when {programme.name} opens.", "success")
    if wants_fragment():
        return with_flashes(render_template("programmes/_alert_form.html",
                                            programme=programme, form=form, sent=True))
    return redirect(url_for("programmes.show", slug=programme.slug) + "#opening-alert", 303)


def _count_sign_up(email: str) -> None:
    """An email goes to whatever address is typed in, so limit it like a reset request."""
    limit = ratelimit.limit("opening-alert")
    keys = [f"ip:{request.remote_addr}", f"email:{User.normalise_email(email)}"]
    if any(limit.exceeded(key) for key in keys):
        abort(429)
    for key in keys:
        limit.hit(key)


def _link_problem(problem: LinkProblem):
    return problem_page(
        problem,
        advice="Links to confirm an email address work for 3 days. A link stops working "
               "once you sign up again after unsubscribing.",
        retry_href=url_for("programmes.index"),
        retry_text="Choose a programme and ask again to be told when it opens")


@bp.get("/alerts/confirm/<token>")
def alert_confirm(token):
    try:
        alert = alerts.confirm(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    return render_template("programmes/alerts_confirmed.html",
                           programme=Programme.get_by_id(alert.programme_id))


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
def alert_unsubscribe(token):
    try:
        alert = alerts.alert_for_token(token, alerts.UNSUBSCRIBE)
    except LinkProblem as problem:
        return _link_problem(problem)
    programme = Programme.get_by_id(alert.programme_id)
    form = EmptyForm()
    if form.validate_on_submit():
        alerts.unsubscribe(token)
        flash(f"You will get no more emails about {programme.name} opening.", "success")
        return redirect(url_for("programmes.index"), 303)
    return render_template("programmes/alerts_unsubscribe.html", programme=programme,
                           form=form, token=token, done=alert.unsubscribed_at is not None)


@bp.route("/alerts/one-click/<token>", methods=["GET", "POST"])
@csrf.exempt
def alert_one_click(token):
    """RFC 8058 one-click unsubscribe, posted by mail programs with no cookies and so no
    CSRF token. The signed token in the address is the authority (it stops one address's
    alerts for one programme); no session is read, so CSRF has nothing to protect here.
    A browser that opens the address gets the page with the button."""
    if request.method == "GET":
        return redirect(url_for("programmes.alert_unsubscribe", token=token), 303)
    try:
        alerts.unsubscribe(token)
    except LinkProblem as problem:
        return problem.message, 400, {"Content-Type": "text/plain; charset=utf-8"}
    return "Unsubscribed.", 200, {"Content-Type": "text/plain; charset=utf-8"}
