"""A person's webinars: "My webinars", calendar files and the personal calendar feed."""
import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.blueprints.webinars import calendar
from portal.blueprints.webinars.models import (
    BOOKED,
    BOOKING_STATUS_LABELS,
    WebinarBooking,
    WebinarFeed,
    WebinarSession,
)
from portal.blueprints.webinars.views import bp, get_session_or_404
from portal.db import db, utcnow
from portal.forms import EmptyForm
from portal.links import absolute_url
from portal.pagination import ordered_by

PAST_PAGE_SIZE = 20
FEED_DAYS_BACK = 90


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, content_type=calendar.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/sessions/<int:session_id>/calendar.ics")
def ics(session_id):
    session = get_session_or_404(session_id)
    return _ics_response(calendar.calendar_bytes([session]), f"webinar-{session.id}.ics")


def _feed_url(feed: WebinarFeed | None) -> str | None:
    if feed is None:
        return None
    return absolute_url("webinars.feed", token=calendar.feed_token(feed))


@bp.get("/mine")
def mine():
    now = utcnow()
    mine = WebinarSession.booked_by(current_user)
    upcoming = mine.where(WebinarSession.ends_at > now).order_by(WebinarSession.starts_at,
                                                                 WebinarSession.id)
    past = ordered_by(mine.where(WebinarSession.ends_at <= now), WebinarSession.starts_at,
                      WebinarSession.id, True, request.args.get("after"), PAST_PAGE_SIZE)
    feed = WebinarFeed.get_or_none(WebinarFeed.user == current_user.id)
    return render_template("webinars/mine.html", upcoming=list(upcoming), past=past.rows,
                           next_cursor=past.next_cursor, feed_url=_feed_url(feed),
                           booking_labels=BOOKING_STATUS_LABELS, now=now)


@bp.post("/feed")
def new_feed():
    """Turn the feed on, or give it a new address: the old address stops working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    nonce = calendar.new_nonce()
    with db.atomic():
        replaced = (WebinarFeed.update(nonce=nonce, created_at=utcnow())
                    .where(WebinarFeed.user == current_user.id).execute())
        if not replaced:
            WebinarFeed.create(user=current_user.id, nonce=nonce)
    flash("Your calendar feed has a new address. Any old address no longer works."
          if replaced else "Your calendar feed is on.", "success")
    return redirect(url_for("webinars.mine", _anchor="calendar-feed"), 303)


@bp.post("/feed/off")
def feed_off():
    if not EmptyForm().validate_on_submit():
        abort(400)
    WebinarFeed.delete().where(WebinarFeed.user == current_user.id).execute()
    flash("Your calendar feed is off. Its address no longer works.", "success")
    return redirect(url_for("webinars.mine", _anchor="calendar-feed"), 303)


@bp.get("/feed/<token>.ics")
def feed(token):
    """The person's booked sessions, for a calendar app to subscribe to: no log-in, the
    address is the secret."""
    found = calendar.feed_for_token(token) or abort(404)
    since = utcnow() - dt.timedelta(days=FEED_DAYS_BACK)
    sessions = (WebinarSession.select().join(WebinarBooking)
                .where(WebinarBooking.user == found.user_id, WebinarBooking.status == BOOKED,
                       WebinarSession.starts_at >= since)
                .order_by(WebinarSession.starts_at, WebinarSession.id))
    # Sent with no-store, as every calendar file is (portal.security).
    return Response(calendar.calendar_bytes(sessions, name="Supervision webinars"),
                    content_type=calendar.CONTENT_TYPE)
