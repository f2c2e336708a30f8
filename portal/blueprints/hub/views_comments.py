"""Comments on articles: posted and edited in place with htmx, or as plain forms."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import permissions, ratelimit, reports
from portal.blueprints.hub import services
from portal.blueprints.hub.forms import CommentForm, HideForm
from portal.blueprints.hub.models import Comment
from portal.blueprints.hub.views import article_page, bp, get_article_or_404
from portal.forms import ReportForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes


def get_comment_or_404(comment_id: int) -> Comment:
    """A comment, not deleted, on an article this person may read."""
    comment = (Comment.select().where(Comment.id == comment_id, Comment.deleted == False)  # noqa: E712
               .first()) or abort(404)
    get_article_or_404(comment.article.slug)
    return comment


def comment_fragment(comment: Comment, hide_form: HideForm | None = None):
    return render_template("hub/_comment.html", comment=comment,
                           hide_form=hide_form or HideForm())


def _may_post(form) -> bool:
    """Suspended people cannot post: their notice becomes the form's error."""
    if permissions.can_post(current_user):
        return True
    form.body.errors.append(current_user.suspension_notice)
    return False


@bp.post("/articles/<slug>/comments")
def comment(slug):
    article = get_article_or_404(slug)
    form, key = CommentForm(), f"user:{current_user.id}"
    limit = ratelimit.limit("comment")
    if form.validate_on_submit() and _may_post(form):
        if not limit.exceeded(key):
            limit.hit(key)
            return _comment_posted(article, services.add_comment(current_user, article,
                                                                 form.body.data))
        form.body.errors.append("You are commenting too quickly. Wait a minute, then try again.")
    if wants_fragment():
        return render_template("hub/_comment_form.html", article=article,
                               comment_form=form), 422
    return article_page(article, 422, comment_form=form)


def _comment_posted(article, new: Comment):
    if wants_fragment():
        return render_template("hub/_comment_created.html", article=article, comment=new,
                               comment_form=CommentForm(formdata=None), hide_form=HideForm())
    flash("Your comment has been posted.", "success")
    return redirect(url_for("hub.show", slug=article.slug, _anchor=f"comment-{new.id}"), 303)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id):
    comment = get_comment_or_404(comment_id)
    permissions.require(permissions.can_edit_comment, current_user, comment)
    form = CommentForm(obj=comment)
    if form.validate_on_submit() and _may_post(form):
        services.edit_comment(comment, form.body.data)
        if wants_fragment():
            return comment_fragment(comment)
        return redirect(url_for("hub.show", slug=comment.article.slug,
                                _anchor=f"comment-{comment.id}"), 303)
    return render_page_or_fragment("hub/comment_edit.html", "hub/_comment_edit.html",
                                   422 if form.errors else 200, comment=comment, form=form)


@bp.get("/comments/<int:comment_id>")
def show_comment(comment_id):
    """One comment, for "Cancel" on the in-place edit form."""
    comment = get_comment_or_404(comment_id)
    permissions.require(permissions.can_edit_comment, current_user, comment)
    return comment_fragment(comment)


@bp.post("/comments/<int:comment_id>/delete")
def delete_comment(comment_id):
    comment = get_comment_or_404(comment_id)
    permissions.require(permissions.can_edit_comment, current_user, comment)
    services.delete_comment(comment)
    flash("Your comment has been deleted.", "success")
    if wants_fragment():
        return with_flashes()
    return redirect(url_for("hub.show", slug=comment.article.slug, _anchor="comments"), 303)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
def report_comment(comment_id):
    comment = get_comment_or_404(comment_id)
    permissions.require(permissions.can_report_comment, current_user, comment)
    form = ReportForm(prefix=f"report-{comment.id}")
    if form.validate_on_submit():
        new = reports.file_report(current_user, reports.COMMENT, comment.id,
                                form.reason.data, (form.note.data or "").strip())
        flash("Thank you. The moderators will look at this comment." if new
              else "Thank you. Your report has been updated.", "success")
        if wants_fragment():
            return with_flashes()
        return redirect(url_for("hub.show", slug=comment.article.slug,
                                _anchor=f"comment-{comment.id}"), 303)
    return render_page_or_fragment("hub/report.html", "hub/_report_form.html",
                                   422 if form.errors else 200, comment=comment, form=form,
                                   inline=wants_fragment())
