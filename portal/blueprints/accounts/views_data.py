"""A person's own data: download a copy, and delete the account."""
from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required, logout_user

from portal import ratelimit
from portal.blueprints.accounts.forms_two_factor import PasswordConfirmForm
from portal.blueprints.accounts.models import DataExport
from portal.blueprints.accounts.views import bp
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.htmx import render_page_or_fragment
from portal.people_data import erase, export


def _export_context() -> dict:
    return {"latest": DataExport.latest_for(current_user), "now": utcnow(),
            "form": EmptyForm(), "days": current_app.config["DATA_EXPORT_DAYS"]}


@bp.get("/your-data")
@login_required
def your_data():
    """The page; htmx polls the status fragment while the archive is being built."""
    return render_page_or_fragment("accounts/your_data.html", "accounts/_export_status.html",
                                   **_export_context())


@bp.post("/your-data")
@login_required
def request_data():
    if not EmptyForm().validate_on_submit():
        abort(400)
    limit, key = ratelimit.limit("data-export"), f"user:{current_user.id}"
    if limit.exceeded(key):
        flash("You have asked for your data several times today. Try again tomorrow.", "info")
        return redirect(url_for("accounts.your_data"), 303)
    limit.hit(key)
    export.request_export(current_user)
    flash("We are preparing your data. We will email you when it is ready.", "success")
    return redirect(url_for("accounts.your_data"), 303)


@bp.get("/your-data/<int:export_id>/download")
@login_required
def download_data(export_id):
    """Only for the person it belongs to (anyone else gets 404), while the link lasts."""
    item = DataExport.get_or_none(DataExport.id == export_id,
                                  DataExport.user == current_user.id) or abort(404)
    if not item.is_downloadable(utcnow()):
        return render_template("accounts/export_expired.html"), 410
    path = export.export_path(current_app.config["UPLOAD_DIR"], item)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"tandem-data-{item.ready_at:%Y-%m-%d}.zip", max_age=0)


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """The confirmation step says what will happen; the password proves it is them."""
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append("Your password is not correct")
        else:
            try:
                erase.erase_account(current_user, current_user.id)
            except erase.ErasureRefused as refused:
                form.form_errors.append(str(refused))
            else:
                logout_user()
                flash("Your account has been deleted.", "success")
                return redirect(url_for("home.index"), 303)
    return render_template("accounts/delete.html", form=form), 422 if form.errors else 200
