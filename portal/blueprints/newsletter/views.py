"""Past newsletters on the site, for the people they were sent to. Each copy shows the
blocks the reader may see today, by the same rule as the email."""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.newsletter import blocks, services
from portal.blueprints.newsletter.models import (
    SENDING,
    SENT,
    NewsletterDelivery,
    NewsletterIssue,
)
from portal.db import utcnow
from portal.htmx import render_page_or_fragment
from portal.pagination import newest_first

bp = Blueprint("newsletter", __name__, url_prefix="/newsletter")
PER_PAGE = 20


@bp.before_request
@login_required
def _signed_in_only():
    """Past issues are for the people they were sent to; staff manage them."""


def get_issue_for_reader_or_404(issue_id: int) -> NewsletterIssue:
    """An issue that has gone out, to this person (or any, for staff); 404 otherwise, so
    nobody learns what went to others."""
    issue = NewsletterIssue.get_or_none(NewsletterIssue.id == issue_id,
                                        NewsletterIssue.status.in_([SENDING, SENT]))
    if issue is None:
        abort(404)
    delivery = NewsletterDelivery.received_by(current_user).where(
        NewsletterDelivery.issue == issue.id).first()
    permissions.reveal(permissions.can_read_newsletter, current_user, delivery)
    return issue


@bp.get("/")
def index():
    page = newest_first(NewsletterDelivery.received_by(current_user), NewsletterDelivery.id,
                        NewsletterDelivery.id, request.args.get("after"), PER_PAGE)
    return render_page_or_fragment("newsletter/index.html", "newsletter/_rows.html",
                                   deliveries=page.rows, next_cursor=page.next_cursor)


@bp.get("/<int:issue_id>")
def show(issue_id: int):
    issue = get_issue_for_reader_or_404(issue_id)
    copy = blocks.copy_for(services.chosen_blocks(issue, utcnow()), current_user.id)
    return render_page_or_fragment("newsletter/show.html", "newsletter/_copy.html",
                                   issue=issue, copy=copy)
