"""The agreement's actions: change its words (a page of its own) and confirm it (a button on
the pair page, answered in place with htmx). Both people may do both while the mentoring is
open; anyone else gets 404 from the loader."""
import dataclasses
import datetime as dt

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.mentoring import agreement
from portal.blueprints.mentoring import services_agreement as svc
from portal.blueprints.mentoring.allowance import channels_for
from portal.blueprints.mentoring.forms_agreement import AgreementForm, ConfirmAgreementForm
from portal.blueprints.mentoring.loaders import get_open_pair_or_404
from portal.blueprints.mentoring.views import bp
from portal.db import utcnow
from portal.htmx import hx_redirect, wants_fragment, with_flashes


def _pair_page(rel, anchor="agreement") -> str:
    return url_for("mentoring.show", relationship_id=rel.id, _anchor=anchor)


def _section(rel, status: int = 200):
    """After a confirmation: the section in place, or the pair page again."""
    if not wants_fragment():
        return redirect(_pair_page(rel), 303)
    return with_flashes(render_template(
        "mentoring/_agreement.html", rel=rel, today=dt.date.today(),
        **agreement.section_context(rel, current_user, dt.date.today()))), status


@bp.route("/<int:relationship_id>/agreement", methods=["GET", "POST"])
@login_required
def edit_agreement(relationship_id: int):
    rel = get_open_pair_or_404(relationship_id)
    shown = agreement.section(rel, current_user)
    form = AgreementForm(data={**dataclasses.asdict(shown.words), "version": shown.version}
                         if request.method == "GET" else None,
                         channels=channels_for(rel.programme))
    if form.validate_on_submit():
        try:
            saved = svc.save(rel, current_user, form.words(), form.version.data, utcnow())
        except svc.AgreementRefused as exc:
            form.form_errors.append(str(exc))
            # Saving again replaces the change made meanwhile (the field shows raw_data).
            form.version.data, form.version.raw_data = shown.version, [str(shown.version)]
        else:
            partner = rel.partner_of(current_user).name
            flash(f"Agreement saved as version {saved.version}. You and {partner} both need "
                  "to confirm it." if saved.version != form.version.data
                  else "You changed nothing, so the agreement stays as it was.", "success")
            return redirect(_pair_page(rel), 303)
    return render_template("mentoring/agreement_edit.html", rel=rel, form=form,
                           partner=rel.partner_of(current_user)), \
        422 if form.errors or form.form_errors else 200


@bp.post("/<int:relationship_id>/agreement/confirm")
@login_required
def confirm_agreement(relationship_id: int):
    rel = get_open_pair_or_404(relationship_id)
    form = ConfirmAgreementForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        confirmed, started = svc.confirm(rel, current_user, form.version.data, utcnow())
    except svc.AgreementRefused as exc:
        flash(str(exc), "error")
        return _section(rel, 422)
    partner = rel.partner_of(current_user).name
    if started:
        flash(f"You have both confirmed the agreement: your mentoring with {partner} has "
              "started.", "success")
        if wants_fragment():
            # The page's status changes too: load it whole. No anchor: a URL that differs
            # from the current one only by its fragment would not load anything.
            return hx_redirect(make_response("", 200), _pair_page(rel, anchor=None))
    elif confirmed.confirmed:
        flash("You have confirmed the agreement.", "success")
    else:
        flash(f"You have confirmed the agreement. {partner} has not confirmed it yet.",
              "success")
    return _section(rel)
