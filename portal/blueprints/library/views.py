"""The resource library: browse, search, a resource's page and its download."""
from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import fragments, permissions, search, uploads
from portal.blueprints.library import services
from portal.blueprints.library.forms import BrowseForm
from portal.blueprints.library.models import FILE, Resource, ResourceFile, ResourceTopic
from portal.db import in_subquery
from portal.groups import Group
from portal.pagination import ordered_by
from portal.taxonomy import Topic

bp = Blueprint("library", __name__, url_prefix="/library")
PAGE_SIZE = 20
SEARCH_LIMIT = 50
SORT_FIELDS = {"newest": (Resource.created_at, True), "downloads": (Resource.download_count, True),
               "title": (Resource.title, False)}


@bp.before_request
@login_required
def _signed_in_only():
    """The library is for people with an account; audiences narrow it further."""


def get_resource_or_404(resource_id: int) -> Resource:
    """A resource this person's audience includes; 404 for everyone else, staff aside."""
    query = Resource.select() if permissions.can_manage_library(current_user) \
        else Resource.visible_to(current_user)
    return query.where(Resource.id == resource_id).first() or abort(404)


def _browse_form() -> BrowseForm:
    form = BrowseForm(request.args)
    form.topic.choices = [SelectChoice("", "All topics")] + [
        SelectChoice(t.slug, t.name) for t in Topic.ordered()]
    form.cohort.choices = [SelectChoice("", "All programmes and cohorts")] + [
        SelectChoice(str(g.id), g.name) for g in Group.select().order_by(Group.name)]
    return form


def _filtered(audience, form: BrowseForm):
    query = Resource.visible_to(audience)
    if form.topic.data:
        query = query.where(in_subquery(Resource.id, (
            ResourceTopic.select(ResourceTopic.resource)
            .join(Topic).where(Topic.slug == form.topic.data))))
    if form.kind.data:
        query = query.where(Resource.kind == form.kind.data)
    if form.cohort.data:
        query = query.where(Resource.cohort == int(form.cohort.data))
    return query


def _browse(audience) -> dict:
    """The resources for the filters in the URL: ranked matches when searching, otherwise
    one keyset page in the chosen order."""
    form = _browse_form()
    if not form.validate():  # a filter that is not one of the choices is ignored
        for field in form:
            if field.errors:
                field.data = field.default
    query, next_cursor = _filtered(audience, form), None
    if form.q.data and (hits := search.matches(services.SEARCH_KIND, form.q.data)) is not None:
        hits = hits.alias("hits")
        rows = list(query.select_extend(hits.c.snippet.alias("snippet"))
                    .join(hits, on=(hits.c.object_id == Resource.id))
                    .order_by(hits.c.rank, Resource.id).limit(SEARCH_LIMIT).objects())
    else:
        field, descending = SORT_FIELDS.get(form.sort.data, SORT_FIELDS["newest"])
        page = ordered_by(query, field, Resource.id, descending, request.args.get("after"),
                          PAGE_SIZE)
        rows, next_cursor = page.rows, page.next_cursor
    Resource.with_current_files(Resource.with_topics(rows))
    return {"form": form, "resources": rows, "next_cursor": next_cursor,
            "searching": bool(form.q.data)}


def _shared(fragment: str):
    """The library as everyone in the person's audience sees it, reused until it changes."""
    return fragments.shared_page("library/index.html", fragment, name=request.endpoint,
                                 areas=(fragments.LIBRARY,), args=fragments.request_args(),
                                 context=_browse)


@bp.get("/")
def index():
    return _shared("library/_results.html")


@bp.get("/more")
def more():
    """The next rows, appended below the list by "Show more resources"."""
    return _shared("library/_resource_rows.html")


@bp.get("/<int:resource_id>")
def show(resource_id):
    resource = get_resource_or_404(resource_id)
    history = list(ResourceFile.history(resource))
    return render_template("library/show.html", resource=resource, history=history,
                           current=history[0] if history else None,
                           topics=list(resource.topics()))


def _send(resource: Resource, file: ResourceFile):
    try:
        path = uploads.stored_path(current_app.config["UPLOAD_DIR"], file.stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    services.count_download(resource)
    response = send_file(path, mimetype=file.content_type, as_attachment=True,
                         download_name=file.original_name, max_age=0, conditional=True,
                         etag=file.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:resource_id>/download")
def download(resource_id):
    resource = get_resource_or_404(resource_id)
    if resource.kind != FILE:
        abort(404)
    return _send(resource, resource.current_file() or abort(404))


@bp.get("/<int:resource_id>/versions/<int:version>/download")
def download_version(resource_id, version):
    resource = get_resource_or_404(resource_id)
    permissions.require(permissions.can_manage_library, current_user)
    file = ResourceFile.get_or_none(ResourceFile.resource == resource,
                                    ResourceFile.version == version) or abort(404)
    return _send(resource, file)
