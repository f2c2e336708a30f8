"""Admins acting on a person's account: reset their two-factor sign-in, erase the account."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal import permissions
from portal.blueprints.accounts import two_factor
from portal.blueprints.staff.views import bp, get_person_or_404
from portal.forms import EmptyForm
from portal.people_data import erase


@bp.post("/people/<int:person_id>/two-factor/reset")
def reset_two_factor(person_id):
    person = get_person_or_404(person_id)
    permissions.require(permissions.can_reset_two_factor, current_user, person)
    if EmptyForm().validate_on_submit():
        two_factor.reset_by_admin(current_user, person)
        flash(f"{person.name}'s two-factor sign-in has been reset. They have been logged out "
              f"and emailed, and will set it up again when they next log in.", "success")
    return redirect(url_for("staff.person", person_id=person.id), 303)


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase_person(person_id):
    """The confirmation page says what will happen; the POST does it."""
    person = get_person_or_404(person_id)
    permissions.require(permissions.can_erase_account, current_user, person)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            erase.erase_account(current_user, person.id)
        except erase.ErasureRefused as refused:
            form.form_errors.append(str(refused))
        else:
            flash("The account has been deleted. It now shows as “Former member”.", "success")
            return redirect(url_for("staff.person", person_id=person.id), 303)
    return render_template("staff/erase_person.html", person=person, form=form), \
        422 if form.errors else 200
