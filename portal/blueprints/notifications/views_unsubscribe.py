"""Stopping an email from the link in it, signed out: the visible link and the RFC 8058
one-click address that mail programs post to.

The visible link opens a page that names what it stops and asks for one button press,
rather than unsubscribing on opening: mail scanners open every link in a message. Once
pressed, the page says what was switched off and offers to undo it. Both buttons carry a
CSRF token from the session cookie, which a signed-out visitor gets on the page as anyone
does. An altered link, or one for an address the account no longer has, changes nothing
and shows the shared link problem page.
"""
from flask import abort, flash, redirect, render_template, request, url_for

from portal import mail_preferences
from portal.blueprints.notifications.views import bp
from portal.db import db
from portal.extensions import csrf
from portal.forms import EmptyForm
from portal.notifications import NOTIFICATION_TYPES
from portal.signed_links import LinkProblem, problem_page


def _link_problem(problem: LinkProblem):
    return problem_page(
        problem,
        advice="You can choose which emails you get on your notification preferences page "
               "once you have logged in.",
        retry_href=url_for("notifications.preferences"),
        retry_text="Go to your notification preferences")


def _masked(email: str) -> str:
    """"m•••@example.org": enough for the person to know it is theirs, not to read out."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    try:
        person, kinds = mail_preferences.person_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    form = EmptyForm()
    if form.validate_on_submit():
        with db.atomic():
            mail_preferences.unsubscribe(person, kinds, "unsubscribe link")
        flash(f"Emails about {mail_preferences.describe(kinds)} are switched off.", "success")
        return redirect(url_for("notifications.unsubscribe", token=token), 303)
    if request.method == "POST":
        abort(400)
    return render_template("notifications/unsubscribe.html", token=token, form=form,
                           kinds=[NOTIFICATION_TYPES[k] for k in kinds],
                           described=mail_preferences.describe(kinds),
                           emailed=mail_preferences.emailed_kinds(person, kinds),
                           address=_masked(person.email))


@bp.post("/unsubscribe/<token>/undo")
def undo_unsubscribe(token: str):
    try:
        person, kinds = mail_preferences.person_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db.atomic():
        mail_preferences.undo_unsubscribe(person, kinds)
    flash(f"Emails about {mail_preferences.describe(kinds)} are switched back on.", "success")
    return redirect(url_for("notifications.unsubscribe", token=token), 303)


@bp.route("/one-click/<token>", methods=["GET", "POST"])
@csrf.exempt
def one_click(token: str):
    """RFC 8058: a mail program posts "List-Unsubscribe=One-Click" here, with no cookies
    and so no CSRF token. CSRF protection stops another site using a signed-in person's
    session; this view never reads a session. What authorises it is the signed token in
    the address, which can stop only the emails it names, to the address it was sent to,
    so the view is exempt from CSRF and from nothing else. A browser that opens the
    address gets the page with the button instead."""
    if request.method == "GET":
        return redirect(url_for("notifications.unsubscribe", token=token), 303)
    try:
        person, kinds = mail_preferences.person_for_token(token)
    except LinkProblem as problem:
        return problem.message, 400, {"Content-Type": "text/plain; charset=utf-8"}
    with db.atomic():
        mail_preferences.unsubscribe(person, kinds, "one-click")
    return (f"Unsubscribed: emails about {mail_preferences.describe(kinds)} are switched off.",
            200, {"Content-Type": "text/plain; charset=utf-8"})
