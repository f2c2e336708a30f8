"""Library writes: a resource with its file, topics, audience, links and search entry in
one transaction. A file is moved into place first and removed again if the transaction
fails, so the folder never keeps a file that no row points to."""
from dataclasses import dataclass

from peewee import fn

from portal import audience, search, uploads
from portal.audit import AuditEntry
from portal.blueprints.library.models import (
    FILE,
    ArticleResource,
    Resource,
    ResourceFile,
    ResourceTopic,
)
from portal.db import db, utcnow

SEARCH_KIND = "resource"


class DuplicateFile(Exception):
    def __init__(self, existing: Resource):
        super().__init__(existing.title)
        self.existing = existing


@dataclass
class ResourceData:
    title: str
    description: str
    kind: str
    url: str
    topic_ids: list
    audience_value: str
    group_ids: list
    cohort_id: int | None
    article_ids: list


def find_duplicate(sha256: str, resource: Resource | None = None) -> Resource | None:
    query = Resource.select().join(ResourceFile).where(ResourceFile.sha256 == sha256)
    if resource is not None:
        query = query.where(Resource.id != resource.id)
    return query.first()


def _apply(resource: Resource, data: ResourceData) -> None:
    resource.title, resource.description = data.title.strip(), (data.description or "").strip()
    resource.kind, resource.url = data.kind, (data.url or "").strip() if data.kind != FILE else ""
    resource.audience, resource.cohort = data.audience_value, data.cohort_id or None
    resource.updated_at = utcnow()
    resource.save()
    ResourceTopic.delete().where(ResourceTopic.resource == resource).execute()
    if data.topic_ids:
        ResourceTopic.insert_many([{"resource": resource.id, "topic": t}
                                   for t in set(data.topic_ids)]).execute()
    ArticleResource.delete().where(ArticleResource.resource == resource).execute()
    if data.article_ids:
        ArticleResource.insert_many([{"resource": resource.id, "article": a}
                                     for a in set(data.article_ids)]).execute()
    audience.set_groups(resource, data.group_ids if data.audience_value == audience.GROUPS
                        else [])


def _index(resource: Resource, file_name: str = "") -> None:
    search.index(SEARCH_KIND, resource.id, resource.title, resource.description,
                 " ".join(filter(None, [file_name, resource.url])))


def _add_version(actor, resource: Resource, checked: uploads.CheckedFile,
                 stored_name: str) -> ResourceFile:
    latest = (ResourceFile.select(fn.MAX(ResourceFile.version))
              .where(ResourceFile.resource == resource).scalar()) or 0
    return ResourceFile.create(
        resource=resource, version=latest + 1, stored_name=stored_name,
        original_name=checked.original_name, content_type=checked.mime,
        type_label=checked.file_type.label, size=checked.size, sha256=checked.sha256,
        uploaded_by=actor)


def _keep_file(checked: uploads.CheckedFile | None, upload_dir: str, write):
    """Move the checked file into place, run `write` in a transaction, and undo the move if
    the transaction fails."""
    stored_name = uploads.store(checked, upload_dir) if checked else None
    try:
        with db.atomic():
            return write(stored_name)
    except BaseException:
        if stored_name:
            uploads.remove(upload_dir, stored_name)
        raise


def create_resource(actor, data: ResourceData, checked: uploads.CheckedFile | None,
                    upload_dir: str) -> Resource:
    if checked is not None and (existing := find_duplicate(checked.sha256)):
        checked.discard()
        raise DuplicateFile(existing)

    def write(stored_name):
        resource = Resource(uploaded_by=actor)
        _apply(resource, data)
        if stored_name:
            _add_version(actor, resource, checked, stored_name)
        _index(resource, checked.original_name if checked else "")
        AuditEntry.record(actor, "resource.create", resource, {},
                          {"title": resource.title, "audience": resource.audience})
        return resource

    return _keep_file(checked, upload_dir, write)


def update_resource(actor, resource: Resource, data: ResourceData) -> None:
    with db.atomic():
        before = {"title": resource.title, "audience": resource.audience}
        _apply(resource, data)
        current = resource.current_file()
        _index(resource, current.original_name if current else "")
        AuditEntry.record(actor, "resource.update", resource, before,
                          {"title": resource.title, "audience": resource.audience})


def replace_file(actor, resource: Resource, checked: uploads.CheckedFile,
                 upload_dir: str) -> ResourceFile:
    if existing := find_duplicate(checked.sha256):
        checked.discard()
        raise DuplicateFile(existing)

    def write(stored_name):
        version = _add_version(actor, resource, checked, stored_name)
        Resource.update(updated_at=utcnow()).where(Resource.id == resource.id).execute()
        _index(resource, checked.original_name)
        AuditEntry.record(actor, "resource.replace_file", resource, {},
                          {"version": version.version, "name": checked.original_name})
        return version

    return _keep_file(checked, upload_dir, write)


def count_download(resource: Resource) -> None:
    (Resource.update(download_count=Resource.download_count + 1)
     .where(Resource.id == resource.id).execute())
