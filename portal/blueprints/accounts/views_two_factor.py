"""Two-factor sign-in: the second step of logging in, setting it up (at sign-in, where the
role requires it, or from the profile), recovery codes, and turning it off."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from portal import ratelimit
from portal.blueprints.accounts import pending, two_factor
from portal.blueprints.accounts.forms_two_factor import (
    ConfirmSetupForm,
    PasswordConfirmForm,
    SecondFactorForm,
)
from portal.blueprints.accounts.views import bp
from portal.forms import EmptyForm
from portal.security import is_safe_next

NEW_CODES = "new_recovery_codes"
TOO_MANY = "Too many wrong codes. Wait 15 minutes, then try again."
START_AGAIN = "Your sign-in took too long. Log in again."


def _limited(user) -> tuple[ratelimit.Limit, list[str]]:
    return ratelimit.limit("two-factor-failed"), [f"user:{user.id}",
                                                  f"ip:{request.remote_addr}"]


def _attempt(check, user, form):
    """`check(user, code)` under the rate limit: its answer, or None with the refusal shown
    as the field's error."""
    if not form.validate_on_submit():
        return None
    limit, keys = _limited(user)
    if any(limit.exceeded(key) for key in keys):
        form.form_errors.append(TOO_MANY)
        return None
    try:
        return check(user, form.code.data)
    except two_factor.CodeRefused as refused:
        for key in keys:
            limit.hit(key)
        form.code.errors.append(str(refused))
        return None


def _status(form) -> int:
    return 429 if TOO_MANY in form.form_errors else 422 if form.errors else 200


def _setup_context(user) -> dict:
    secret = two_factor.start_setup(user)
    return {"qr_code": two_factor.qr_code_data_uri(two_factor.provisioning_uri(user, secret)),
            "secret": two_factor.grouped(secret)}


def _after_login() -> str:
    return pending.next_path() or url_for("home.dashboard")


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    user = pending.held_user()
    if user is None or not user.has_two_factor:
        flash(START_AGAIN, "info")
        return redirect(url_for("accounts.login"), 303)
    form = SecondFactorForm()
    kind = _attempt(two_factor.verify, user, form)
    if kind:
        target = _after_login()
        pending.complete(user)
        if kind == "recovery":
            left = two_factor.recovery_codes_left(user)
            flash(f"You used a recovery code. You have {left} left: make new ones from your "
                  f"profile if you are running out.", "info")
        return redirect(target, 303)
    return render_template("accounts/second_factor.html", form=form), _status(form)


@bp.route("/login/set-up-two-factor", methods=["GET", "POST"])
def set_up_at_login():
    """For a role that must use two-factor sign-in and has not set it up yet."""
    user = pending.held_user()
    if user is None or user.has_two_factor:
        flash(START_AGAIN, "info")
        return redirect(url_for("accounts.login"), 303)
    form = ConfirmSetupForm()
    codes = _attempt(two_factor.confirm_setup, user, form)
    if codes:
        target = _after_login()
        pending.complete(user)
        session[NEW_CODES] = codes
        return redirect(url_for("accounts.recovery_codes", next=target), 303)
    return render_template("accounts/two_factor_setup.html", form=form, at_login=True,
                           action=url_for("accounts.set_up_at_login"),
                           **_setup_context(user)), _status(form)


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@login_required
def set_up_two_factor():
    if current_user.has_two_factor:
        return redirect(url_for("accounts.profile"), 303)
    form = ConfirmSetupForm()
    codes = _attempt(two_factor.confirm_setup, current_user, form)
    if codes:
        session[NEW_CODES] = codes
        flash("Two-factor sign-in is on.", "success")
        return redirect(url_for("accounts.recovery_codes"), 303)
    return render_template("accounts/two_factor_setup.html", form=form, at_login=False,
                           action=url_for("accounts.set_up_two_factor"),
                           **_setup_context(current_user)), _status(form)


@bp.get("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    """New codes are shown once, straight after they are made; reloading shows none."""
    target = request.args.get("next")
    return render_template("accounts/recovery_codes.html", codes=session.pop(NEW_CODES, None),
                           next=target if is_safe_next(target) else url_for("accounts.profile"),
                           form=EmptyForm())


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    if not current_user.has_two_factor or not EmptyForm().validate_on_submit():
        abort(400)
    session[NEW_CODES] = two_factor.replace_recovery_codes(current_user)
    flash("You have 10 new recovery codes. The old ones no longer work.", "success")
    return redirect(url_for("accounts.recovery_codes"), 303)


@bp.route("/two-factor/turn-off", methods=["GET", "POST"])
@login_required
def turn_off_two_factor():
    if not current_user.has_two_factor or two_factor.required_for(current_user):
        abort(403)
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        if current_user.check_password(form.password.data):
            two_factor.turn_off(current_user)
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("accounts.profile"), 303)
        form.password.errors.append("Your password is not correct")
    return render_template("accounts/two_factor_off.html", form=form), \
        422 if form.errors else 200
