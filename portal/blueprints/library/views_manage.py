"""Staff adding to the library: upload a file or add a link, edit, replace a file."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import audience, permissions, settings, uploads
from portal.blueprints.hub.models import PUBLISHED, Article
from portal.blueprints.library import services
from portal.blueprints.library.forms import ReplaceFileForm, ResourceForm
from portal.blueprints.library.models import FILE, Resource
from portal.blueprints.library.views import bp, get_resource_or_404
from portal.groups import Group
from portal.taxonomy import Topic


def _form(resource: Resource | None = None) -> ResourceForm:
    form = ResourceForm(obj=resource, editing=resource is not None)
    form.topics.choices = [SelectChoice(t.id, t.name) for t in Topic.ordered()]
    groups = [SelectChoice(g.id, g.name) for g in Group.select().order_by(Group.name)]
    form.groups.choices = groups
    form.cohort.choices = [SelectChoice(0, "None")] + groups
    form.articles.choices = [SelectChoice(a.id, a.title) for a in Article.select(
        Article.id, Article.title).where(Article.status == PUBLISHED).order_by(Article.title)]
    if resource is not None and request.method == "GET":
        form.topics.data = [link.topic_id for link in resource.topic_links]
        form.groups.data = audience.group_ids(resource)
        form.cohort.data = resource.cohort_id or 0
        form.articles.data = [link.article_id for link in resource.article_links]
    return form


def _data(form: ResourceForm) -> services.ResourceData:
    return services.ResourceData(
        title=form.title.data, description=form.description.data, kind=form.kind.data,
        url=form.url.data, topic_ids=form.topics.data or [], audience_value=form.audience.data,
        group_ids=form.groups.data or [], cohort_id=form.cohort.data or None,
        article_ids=form.articles.data or [])


def _receive(field) -> uploads.CheckedFile | None:
    """Check an uploaded file; a refusal becomes the field's error message."""
    max_bytes = settings.get("library_max_upload_mb") * 1024 * 1024
    try:
        return uploads.receive(field.data.stream, field.data.filename or "",
                               current_app.config["UPLOAD_DIR"], max_bytes)
    except uploads.UploadRejected as problem:
        field.errors.append(str(problem))
        return None


def _duplicate_message(existing: Resource) -> str:
    return f"This file is already in the library as “{existing.title}”"


@bp.route("/new", methods=["GET", "POST"])
def new():
    permissions.require(permissions.can_manage_library, current_user)
    form = _form()
    if form.validate_on_submit():
        checked = _receive(form.file) if form.kind.data == FILE else None
        if form.kind.data != FILE or checked is not None:
            try:
                resource = services.create_resource(current_user, _data(form), checked,
                                                    current_app.config["UPLOAD_DIR"])
            except services.DuplicateFile as duplicate:
                form.file.errors.append(_duplicate_message(duplicate.existing))
            else:
                flash(f"“{resource.title}” added to the library.", "success")
                return redirect(url_for("library.show", resource_id=resource.id), 303)
    return render_template("library/edit.html", form=form, resource=None), \
        422 if form.errors else 200


@bp.route("/<int:resource_id>/edit", methods=["GET", "POST"])
def edit(resource_id):
    permissions.require(permissions.can_manage_library, current_user)
    resource = get_resource_or_404(resource_id)
    form = _form(resource)
    if form.validate_on_submit():
        services.update_resource(current_user, resource, _data(form))
        flash("Changes saved.", "success")
        return redirect(url_for("library.show", resource_id=resource.id), 303)
    return render_template("library/edit.html", form=form, resource=resource,
                           replace_form=ReplaceFileForm()), 422 if form.errors else 200


@bp.route("/<int:resource_id>/replace", methods=["GET", "POST"])
def replace(resource_id):
    permissions.require(permissions.can_manage_library, current_user)
    resource = get_resource_or_404(resource_id)
    form = ReplaceFileForm()
    if form.validate_on_submit() and resource.kind == FILE:
        checked = _receive(form.file)
        if checked is not None:
            try:
                version = services.replace_file(current_user, resource, checked,
                                                current_app.config["UPLOAD_DIR"])
            except services.DuplicateFile as duplicate:
                form.file.errors.append(_duplicate_message(duplicate.existing))
            else:
                flash(f"Version {version.version} uploaded. Earlier versions are kept.",
                      "success")
                return redirect(url_for("library.show", resource_id=resource.id), 303)
    return render_template("library/replace.html", form=form, resource=resource), \
        422 if form.errors else 200

