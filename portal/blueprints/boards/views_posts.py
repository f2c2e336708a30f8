"""One post: its permalink, editing within the window, deleting to a placeholder, and
reporting it to the moderators; each in place with htmx or as a plain page."""
from flask import flash, redirect, render_template
from flask_login import current_user

from portal import permissions, reports
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import PostForm
from portal.blueprints.boards.views import bp, get_post_or_404, may_post
from portal.blueprints.boards.views_threads import fill_posts, post_url
from portal.forms import ReportForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes


def post_fragment(post, **context):
    html = render_template("boards/_post.html", post=post, thread=post.thread,
                           board=post.thread.board, **context)
    return fill_posts(html, [post], post.number)


@bp.get("/posts/<int:post_id>")
def show_post(post_id):
    """A post's address: the post alone for htmx ("Cancel" on the edit form), otherwise
    its place in the thread."""
    post = get_post_or_404(post_id)
    if wants_fragment():
        return post_fragment(post)
    return redirect(post_url(post), 303)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id):
    post = get_post_or_404(post_id)
    permissions.require(permissions.can_edit_post, current_user, post)
    form = PostForm(obj=post, prefix=f"post-{post.id}")
    if form.validate_on_submit() and may_post(form):
        services.edit_post(current_user, post, form.body.data)
        if wants_fragment():
            return post_fragment(post)
        flash("Your post has been saved.", "success")
        return redirect(post_url(post), 303)
    return render_page_or_fragment("boards/post_edit.html", "boards/_post_edit.html",
                                   422 if form.errors else 200, post=post, thread=post.thread,
                                   board=post.thread.board, form=form)


@bp.post("/posts/<int:post_id>/delete")
def delete_post(post_id):
    post = get_post_or_404(post_id)
    permissions.require(permissions.can_delete_post, current_user, post)
    services.delete_post(post)
    flash("Your post has been deleted.", "success")
    if wants_fragment():
        return with_flashes(post_fragment(post))
    return redirect(post_url(post), 303)


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
def report_post(post_id):
    post = get_post_or_404(post_id)
    permissions.require(permissions.can_report_post, current_user, post)
    form = ReportForm(prefix=f"report-{post.id}")
    if form.validate_on_submit():
        new = reports.file_report(current_user, reports.POST, post.id, form.reason.data,
                                   (form.note.data or "").strip())
        message = ("Thank you. The moderators will look at this post." if new
                   else "Thank you. Your report has been updated.")
        flash(message, "success")
        if wants_fragment():
            return with_flashes()  # the report form goes; the thanks goes to the status region
        return redirect(post_url(post), 303)
    return render_page_or_fragment("boards/report.html", "boards/_report_form.html",
                                   422 if form.errors else 200, post=post, thread=post.thread,
                                   board=post.thread.board, form=form, inline=wants_fragment())
