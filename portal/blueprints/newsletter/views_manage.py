"""Staff write an issue, pick and order its blocks from Tandem's suggestions, preview it as
a chosen recipient, and send it now or at a set time."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import permissions
from portal.blueprints.newsletter import blocks, segments, services
from portal.blueprints.newsletter.forms import PreviewForm, SendForm, issue_form
from portal.blueprints.newsletter.models import (
    DRAFT,
    SCHEDULED,
    STATUS_LABELS,
    NewsletterDelivery,
    NewsletterIssue,
)
from portal.blueprints.newsletter.views import bp
from portal.blueprints.webinars import times
from portal.db import utcnow
from portal.forms import EmptyForm


def _require_staff() -> None:
    permissions.require(permissions.can_manage_newsletter, current_user)


def get_issue_or_404(issue_id: int) -> NewsletterIssue:
    """Any issue, for staff (403 for everyone else, before looking)."""
    _require_staff()
    return NewsletterIssue.get_or_none(NewsletterIssue.id == issue_id) or abort(404)


@bp.get("/manage")
def manage():
    _require_staff()
    return render_template("newsletter/manage.html", issues=list(NewsletterIssue.for_staff()),
                           labels=STATUS_LABELS, segment_labels=dict(segments.choices()))


def _candidates(issue: NewsletterIssue | None, now) -> tuple[list, list]:
    """The blocks on offer: those chosen (in their order), then the suggestions."""
    chosen = [(b.kind, b.object_id) for b in issue.blocks()] if issue else []
    last = NewsletterIssue.last_sent()
    since = blocks.since_last_issue(last.started_at if last else None, now)
    offered = blocks.load(chosen, now)
    keys = {b.key for b in offered}
    offered += [b for b in blocks.suggest(since, now) if b.key not in keys]
    return blocks.label_audiences(offered), chosen


def _edit(issue: NewsletterIssue | None):
    now = utcnow()
    candidates, chosen = _candidates(issue, now)
    data = {} if issue is None else {
        "subject": issue.subject, "intro": issue.intro,
        "segment": segments.value_of(issue.segment_kind, issue.segment_id)}
    form = issue_form(candidates, segments.choices(), chosen, **data)
    if form.validate_on_submit():
        try:
            issue = services.save_issue(current_user, issue, subject=form.subject.data,
                                        intro=form.intro.data or "",
                                        segment=form.segment.data, chosen=form.chosen())
        except services.NewsletterRefused as refused:
            _add_errors(form, refused)
        else:
            flash("The issue has been saved.", "success")
            return redirect(url_for("newsletter.issue", issue_id=issue.id), 303)
    return render_template("newsletter/edit.html", form=form, issue=issue,
                           kinds=blocks.KIND_LABELS), 422 if form.errors else 200


def _add_errors(form, refused: services.NewsletterRefused) -> None:
    for name, message in refused.errors.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


@bp.route("/manage/new", methods=["GET", "POST"])
def new():
    _require_staff()
    return _edit(None)


@bp.route("/manage/<int:issue_id>/edit", methods=["GET", "POST"])
def edit(issue_id: int):
    issue = get_issue_or_404(issue_id)
    if issue.status != DRAFT:
        flash("This issue has been scheduled or sent, so it can no longer be changed.",
              "error")
        return redirect(url_for("newsletter.issue", issue_id=issue.id), 303)
    return _edit(issue)


def _issue_page(issue: NewsletterIssue, send_form: SendForm, status: int = 200):
    chosen = blocks.label_audiences(services.chosen_blocks(issue, utcnow()))
    return render_template(
        "newsletter/issue.html", issue=issue, blocks=chosen, send_form=send_form,
        preview_form=PreviewForm(formdata=None), empty_form=EmptyForm(),
        segment=segments.label(issue.segment_kind, issue.segment_id),
        status_label=STATUS_LABELS[issue.status], counts=NewsletterDelivery.counts(issue),
        send_at=times.fmt_when(issue.send_at) if issue.send_at else ""), status


@bp.get("/manage/<int:issue_id>", endpoint="issue")
def show_issue(issue_id: int):
    return _issue_page(get_issue_or_404(issue_id), SendForm(formdata=None))


@bp.get("/manage/<int:issue_id>/preview")
def preview(issue_id: int):
    issue = get_issue_or_404(issue_id)
    form = PreviewForm(request.args)
    if not form.validate():
        return render_template("newsletter/preview.html", issue=issue, form=form), 422
    copy, body = services.preview(issue, form.person)
    in_segment = segments.includes(issue.segment_kind, issue.segment_id, form.person.id)
    return render_template("newsletter/preview.html", issue=issue, form=form, copy=copy,
                           body=body, person=form.person, in_segment=in_segment)


@bp.post("/manage/<int:issue_id>/send")
def send(issue_id: int):
    issue = get_issue_or_404(issue_id)
    form = SendForm()
    if not form.validate_on_submit():
        return _issue_page(issue, form, 422)
    try:
        issue = services.schedule(current_user, issue, form.send_at())
    except services.NewsletterRefused as refused:
        _add_errors(form, refused)
        return _issue_page(issue, form, 422)
    if form.send_at() is None:
        flash("The issue is on its way.", "success")
    else:
        flash(f"The issue will be sent on {times.fmt_when(issue.send_at)}.", "success")
    return redirect(url_for("newsletter.issue", issue_id=issue.id), 303)


@bp.post("/manage/<int:issue_id>/unschedule")
def unschedule(issue_id: int):
    issue = get_issue_or_404(issue_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if issue.status == SCHEDULED and services.unschedule(current_user, issue):
        flash("The issue will not be sent: it is a draft again.", "success")
    else:
        flash("The issue has already started going out.", "error")
    return redirect(url_for("newsletter.issue", issue_id=issue.id), 303)
