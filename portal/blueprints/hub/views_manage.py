"""Staff writing the hub: drafts, review, publishing, revisions and restore."""
import difflib

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import JOIN
from wtforms.fields.choices import SelectChoice

from portal import audience, permissions, settings
from portal.blueprints.accounts.models import User
from portal.blueprints.hub import services
from portal.blueprints.hub.forms import ArticleForm, StatusForm
from portal.blueprints.hub.models import STATUS_LABELS, Article, ArticleRevision
from portal.blueprints.hub.views import bp
from portal.groups import Group
from portal.pagination import newest_first
from portal.taxonomy import Topic

ACTION_LABELS = {"submit": "Send for review", "approve": "Approve and publish",
                 "publish": "Publish", "archive": "Archive", "unpublish": "Return to draft"}
ACTION_MESSAGES = {"submit": "sent for review", "approve": "approved and published",
                   "publish": "published", "archive": "archived", "unpublish": "returned to draft"}


def get_managed_article_or_404(article_id: int) -> Article:
    """Any article, draft or not, for the people who manage them (views check that first)."""
    return Article.with_last_editor().where(Article.id == article_id).first() or abort(404)


def _article_form(article: Article | None = None) -> ArticleForm:
    form = ArticleForm(obj=article)
    form.topics.choices = [SelectChoice(t.id, t.name) for t in Topic.ordered()]
    form.groups.choices = [SelectChoice(g.id, g.name) for g in Group.select().order_by(Group.name)]
    if article is not None and request.method == "GET":
        form.topics.data = [link.topic_id for link in article.topic_links]
        form.groups.data = audience.group_ids(article)
        form.note.data = ""
    return form


def _save(form: ArticleForm, article: Article | None) -> Article:
    return services.save_article(
        current_user, article, title=form.title.data, summary=form.summary.data,
        body=form.body.data, kind=form.kind.data, topic_ids=form.topics.data or [],
        audience_value=form.audience.data, group_ids=form.groups.data or [],
        review_by=form.review_by.data, note=form.note.data or "")


@bp.get("/manage")
def manage():
    permissions.require(permissions.can_manage_articles, current_user)
    status = request.args.get("status", "")
    query = Article.select()
    if status in STATUS_LABELS:
        query = query.where(Article.status == status)
    page = newest_first(query, Article.updated_at, Article.id, request.args.get("after"), 50)
    return render_template("hub/manage.html", articles=page.rows, next_cursor=page.next_cursor,
                           status=status, status_labels=STATUS_LABELS)


@bp.route("/manage/new", methods=["GET", "POST"])
def new():
    permissions.require(permissions.can_manage_articles, current_user)
    form = _article_form()
    if form.validate_on_submit():
        article = _save(form, None)
        flash("Draft saved. Publish it when it is ready.", "success")
        return redirect(url_for("hub.edit", article_id=article.id), 303)
    return render_template("hub/edit.html", form=form, article=None), \
        422 if form.errors else 200


@bp.route("/manage/<int:article_id>/edit", methods=["GET", "POST"])
def edit(article_id):
    permissions.require(permissions.can_manage_articles, current_user)
    article = get_managed_article_or_404(article_id)
    form = _article_form(article)
    if form.validate_on_submit():
        _save(form, article)
        flash("Changes saved.", "success")
        return redirect(url_for("hub.edit", article_id=article.id), 303)
    return render_template("hub/edit.html", form=form, article=article,
                           actions=services.allowed_actions(current_user, article),
                           action_labels=ACTION_LABELS, status_form=StatusForm(),
                           status_labels=STATUS_LABELS,
                           needs_approval=settings.get("hub_requires_approval")), \
        422 if form.errors else 200


@bp.post("/manage/<int:article_id>/status")
def change_status(article_id):
    permissions.require(permissions.can_manage_articles, current_user)
    article = get_managed_article_or_404(article_id)
    form = StatusForm()
    if not form.validate_on_submit() or form.action.data not in ACTION_LABELS:
        abort(400)
    try:
        services.change_status(current_user, article, form.action.data)
    except services.NotAllowed:
        flash("That change is not possible now. Another staff member must approve an "
              "article you edited last.", "error")
    else:
        flash(f"“{article.title}” {ACTION_MESSAGES[form.action.data]}.", "success")
    return redirect(url_for("hub.edit", article_id=article.id), 303)


@bp.get("/manage/<int:article_id>/revisions")
def revisions(article_id):
    permissions.require(permissions.can_manage_articles, current_user)
    article = get_managed_article_or_404(article_id)
    rows = (ArticleRevision.select(ArticleRevision, User)
            .join(User, JOIN.LEFT_OUTER, on=(ArticleRevision.editor == User.id))
            .where(ArticleRevision.article == article)
            .order_by(ArticleRevision.number.desc()))
    return render_template("hub/revisions.html", article=article, revisions=list(rows),
                           form=StatusForm())


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is "added", "removed" or "same"."""
    kinds = {"+": "added", "-": "removed", " ": "same"}
    return [(kinds[line[0]], line[2:]) for line in
            difflib.ndiff(old.splitlines(), new.splitlines()) if line[0] in kinds]


@bp.get("/manage/<int:article_id>/revisions/<int:number>")
def revision(article_id, number):
    permissions.require(permissions.can_manage_articles, current_user)
    article = get_managed_article_or_404(article_id)
    current = ArticleRevision.get_or_none(ArticleRevision.article == article,
                                          ArticleRevision.number == number) or abort(404)
    previous = ArticleRevision.get_or_none(ArticleRevision.article == article,
                                           ArticleRevision.number == number - 1)
    before = f"{previous.title}\n\n{previous.summary}\n\n{previous.body}" if previous else ""
    after = f"{current.title}\n\n{current.summary}\n\n{current.body}"
    return render_template("hub/revision.html", article=article, revision=current,
                           previous=previous, lines=diff_lines(before, after), form=StatusForm())


@bp.post("/manage/<int:article_id>/revisions/<int:number>/restore")
def restore(article_id, number):
    permissions.require(permissions.can_manage_articles, current_user)
    article = get_managed_article_or_404(article_id)
    revision = ArticleRevision.get_or_none(ArticleRevision.article == article,
                                           ArticleRevision.number == number) or abort(404)
    services.restore_revision(current_user, article, revision)
    flash(f"Revision {number} restored as the current version.", "success")
    return redirect(url_for("hub.edit", article_id=article.id), 303)
