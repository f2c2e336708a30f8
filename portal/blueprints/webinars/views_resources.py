"""Staff attach the recording and slides from the library to a session afterwards."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.blueprints.library.models import KINDS, Resource
from portal.blueprints.webinars import services_staff
from portal.blueprints.webinars.forms import AttachResourceForm
from portal.blueprints.webinars.models import WebinarResource
from portal.blueprints.webinars.views import bp
from portal.blueprints.webinars.views_manage import get_managed_session_or_404
from portal.forms import EmptyForm

CHOICES_LIMIT = 500


def _attach_form() -> AttachResourceForm:
    form = AttachResourceForm()
    newest = Resource.select(Resource.id, Resource.title, Resource.kind).order_by(
        Resource.created_at.desc(), Resource.id.desc()).limit(CHOICES_LIMIT)
    form.resource.choices = [SelectChoice("", "Choose a resource")] + [
        SelectChoice(r.id, f"{r.title} ({KINDS.get(r.kind, r.kind)})") for r in newest]
    return form


@bp.route("/manage/sessions/<int:session_id>/resources", methods=["GET", "POST"])
def resources(session_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    session = get_managed_session_or_404(session_id)
    form = _attach_form()
    if form.validate_on_submit():
        resource = Resource.get_or_none(Resource.id == form.resource.data) or abort(404)
        added = services_staff.attach_resource(current_user, session, resource)
        flash(f"“{resource.title}” attached." if added
              else f"“{resource.title}” was already attached.", "success")
        return redirect(url_for("webinars.resources", session_id=session.id), 303)
    attached = (Resource.select().join(WebinarResource, on=(WebinarResource.resource
                                                            == Resource.id))
                .where(WebinarResource.session == session).order_by(WebinarResource.added_at))
    return render_template("webinars/resources.html", session=session, form=form,
                           attached=list(attached), remove_form=EmptyForm()), \
        422 if form.errors else 200


@bp.post("/manage/sessions/<int:session_id>/resources/<int:resource_id>/remove")
def detach(session_id, resource_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    session = get_managed_session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services_staff.detach_resource(current_user, session, resource_id)
    flash("Resource removed from the session. It stays in the library.", "success")
    return redirect(url_for("webinars.resources", session_id=session.id), 303)
