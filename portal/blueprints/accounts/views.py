"""Register, verify, log in and out, reset a password, keep a profile."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from wtforms.fields.choices import SelectChoice

from portal import ratelimit
from portal.blueprints.accounts import pending, services, tokens, two_factor
from portal.blueprints.accounts.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.blueprints.accounts.models import User
from portal.forms import EmptyForm
from portal.security import is_safe_next
from portal.signed_links import problem_page
from portal.taxonomy import Topic

bp = Blueprint("accounts", __name__, url_prefix="/accounts")



def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def _failed_logins() -> ratelimit.Limit:
    return ratelimit.limit("login-failed")


def _reset_requests() -> ratelimit.Limit:
    return ratelimit.limit("reset-request")


def _safe_next() -> str | None:
    target = request.args.get("next")
    return target if is_safe_next(target) else None


def _after_login_url() -> str:
    return _safe_next() or url_for("home.dashboard")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"), 303)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_user(form.name.data, form.email.data, form.password.data,
                                   _hash_method(), next_path=_safe_next(),
                                   newsletter=form.newsletter.data)
        except services.EmailTaken:
            form.email.errors.append("An account with this email address already exists.")
        else:
            return redirect(url_for("accounts.check_email", email=form.email.data), 303)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.post("/register/validate")
def validate_field():
    """Inline validation: the same form and rules as the full POST, one field back."""
    form = RegisterForm()
    form.validate()
    name = request.args.get("field", "")
    if name not in ("name", "email"):  # a password field re-rendered would lose its value
        abort(404)
    return render_template("accounts/_field.html", field=form[name])


@bp.get("/check-email")
def check_email():
    return render_template("accounts/check_email.html", email=request.args.get("email", ""),
                           form=EmailOnlyForm(email=request.args.get("email", "")))


@bp.get("/verify/<token>")
def verify(token):
    try:
        user = tokens.user_for_verify_token(token)
    except tokens.LinkProblem as problem:
        return problem_page(
            problem,
            advice="Links to confirm an email address work for 3 days.",
            retry_href=url_for("accounts.resend_verification"),
            retry_text="Ask for a new confirmation link")
    services.verify_email(user)
    flash("Your email address is confirmed. You can now log in.", "success")
    return redirect(url_for("accounts.login", next=_safe_next()), 303)


@bp.route("/verify/resend", methods=["GET", "POST"])
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        if _reset_requests().exceeded(f"verify:{request.remote_addr}"):
            abort(429)
        _reset_requests().hit(f"verify:{request.remote_addr}")
        services.resend_verification(form.email.data)
        return redirect(url_for("accounts.check_email", email=form.email.data), 303)
    return render_template("accounts/resend.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_after_login_url(), 303)
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if form.errors else 200
    limit, keys = _failed_logins(), [f"ip:{request.remote_addr}",
                                     f"email:{User.normalise_email(form.email.data)}"]
    if any(limit.exceeded(key) for key in keys):
        form.form_errors.append("Too many failed attempts to log in. Wait a minute, "
                                "then try again.")
        return render_template("accounts/login.html", form=form), 429
    user = User.by_email(form.email.data)
    problem = services.login_problem(user, form.password.data)
    if problem:
        for key in keys:
            limit.hit(key)
        form.form_errors.append(problem)
        return render_template("accounts/login.html", form=form,
                               unverified=problem == services.UNVERIFIED), 422
    if user.has_two_factor or two_factor.required_for(user):
        pending.hold(user, form.remember.data, _safe_next())
        step = "accounts.second_factor" if user.has_two_factor else "accounts.set_up_at_login"
        return redirect(url_for(step), 303)
    pending.complete(user, form.remember.data)
    return redirect(_after_login_url(), 303)


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user.session_key)
    logout_user()
    flash("You have logged out.", "success")
    return redirect(url_for("home.index"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        limit = _reset_requests()
        keys = [f"ip:{request.remote_addr}", f"email:{User.normalise_email(form.email.data)}"]
        if any(limit.exceeded(key) for key in keys):
            abort(429)
        for key in keys:
            limit.hit(key)
        services.request_password_reset(form.email.data)
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token):
    try:
        user = tokens.user_for_reset_token(token)
    except tokens.LinkProblem as problem:
        return problem_page(
            problem,
            advice="Links to reset a password work once, for 1 hour.",
            retry_href=url_for("accounts.forgot"),
            retry_text="Ask for a new link to reset your password")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data, _hash_method())
        flash("Your password has been changed. Log in with your new password.", "success")
        return redirect(url_for("accounts.login"), 303)
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


@bp.get("/profile")
@login_required
def profile():
    return render_template("accounts/profile.html", user=current_user,
                           topics=list(current_user.topics()), form=EmptyForm(),
                           two_factor_required=two_factor.required_for(current_user))


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    form.topics.choices = [SelectChoice(t.id, t.name) for t in Topic.ordered()]
    if request.method == "GET":
        form.topics.data = [t.id for t in current_user.topics()]
    if form.validate_on_submit():
        services.update_profile(current_user, form.data, form.topics.data)
        flash("Your profile has been saved.", "success")
        return redirect(url_for("accounts.profile"), 303)
    return render_template("accounts/edit_profile.html", form=form), 422 if form.errors else 200


@bp.route("/password/change", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if current_user.check_password(form.current_password.data):
            services.set_password(current_user, form.password.data, _hash_method(),
                                  keep_session=current_user.session_key)
            flash("Your password has been changed. Other devices have been logged out.",
                  "success")
            return redirect(url_for("accounts.profile"), 303)
        form.current_password.errors.append("Your current password is not correct")
    return render_template("accounts/change_password.html", form=form), \
        422 if form.errors else 200


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        ended = services.end_other_sessions(current_user, keep_key=current_user.session_key)
        flash(f"Logged out of {ended} other device{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("accounts.profile"), 303)
