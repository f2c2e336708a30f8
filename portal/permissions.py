"""Every permission rule in the portal: pure predicates over a person's role and memberships.

They read only what they are given (never the database). A view loads what the person may
see with its area's `get_<thing>_or_404` (404 when it is invisible), then applies a rule
with `require(rule, user, thing)` (403 when it is not allowed). Templates get the same
rules as Jinja globals, so a page hides exactly what its view would refuse.
"""
from typing import NamedTuple

from flask import abort

from portal.db import utcnow

STAFF_ROLES = frozenset({"staff", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "staff", "admin"})


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_staff(user) -> bool:
    return _signed_in(user) and user.role in STAFF_ROLES


def is_moderator(user) -> bool:
    return _signed_in(user) and user.role in MODERATOR_ROLES


def is_admin(user) -> bool:
    return _signed_in(user) and user.role == "admin"


def can_post(user) -> bool:
    """Writing anything others read (posts, comments): not while suspended."""
    return _signed_in(user) and not user.is_suspended()


def can_view_staff_area(user) -> bool:
    return is_moderator(user)


def can_moderate(user) -> bool:
    return is_moderator(user)


def can_suspend_author(user, person) -> bool:
    """Moderators suspend members from posting; staff accounts are the admins' to manage."""
    return is_moderator(user) and person.id != user.id and person.role == "member"


def can_view_people(user) -> bool:
    return is_staff(user)


def can_view_audit_log(user) -> bool:
    return is_staff(user)


def can_manage_groups(user) -> bool:
    return is_staff(user)


def can_change_role(user, person) -> bool:
    """Admins change roles, but never their own: an admin cannot lock themselves out."""
    return is_admin(user) and person.id != user.id


def can_suspend(user, person) -> bool:
    return is_admin(user) and person.id != user.id


def can_reset_two_factor(user, person) -> bool:
    """An admin removes someone else's second factor (a lost phone); never their own."""
    return is_admin(user) and person.id != user.id and person.totp_enabled_at is not None


def can_erase_account(user, person) -> bool:
    """Admins erase another person's account; people erase their own from their profile."""
    return is_admin(user) and person.id != user.id and person.erased_at is None


def can_change_settings(user) -> bool:
    return is_admin(user)


def can_edit_profile(user, person) -> bool:
    return _signed_in(user) and user.id == person.id


def can_manage_articles(user) -> bool:
    return is_staff(user)


def can_approve_article(user, article) -> bool:
    """Four eyes: an article is approved by a staff member other than whoever edited it
    last (`article.last_editor_id`, loaded with the article)."""
    return can_manage_articles(user) and article.last_editor_id != user.id


def can_edit_comment(user, comment) -> bool:
    return _signed_in(user) and comment.author_id == user.id and not comment.hidden


def can_report_comment(user, comment) -> bool:
    return _signed_in(user) and comment.author_id != user.id and not comment.hidden


def can_hide_comment(user, comment=None) -> bool:
    return is_moderator(user)


def can_manage_library(user) -> bool:
    return is_staff(user)


def can_manage_boards(user) -> bool:
    return is_staff(user)


def can_start_thread(user, board=None) -> bool:
    """Anyone who can see a board may start a thread on it."""
    return _signed_in(user)


def can_reply_to_thread(user, thread) -> bool:
    """Locked threads take no replies, except from moderators."""
    return _signed_in(user) and (not thread.locked or is_moderator(user))


def can_edit_post(user, post) -> bool:
    """Authors edit their own post until its editing window closes (`post.editable_until`,
    from the site settings)."""
    return (_signed_in(user) and post.author_id == user.id and not post.deleted
            and post.status != "hidden" and utcnow() <= post.editable_until)


def can_delete_post(user, post) -> bool:
    return _signed_in(user) and post.author_id == user.id and not post.deleted


def can_report_post(user, post) -> bool:
    return _signed_in(user) and post.author_id != user.id and not post.deleted


class PostActions(NamedTuple):
    edit: bool
    delete: bool
    report: bool


def can_act_on_post(user, post) -> PostActions:
    """What `user` may do to `post`, judged at one instant: a post's actions are drawn
    from this, and a process keeps each drawing (boards.views_threads.post_holes)."""
    return PostActions(can_edit_post(user, post), can_delete_post(user, post),
                       can_report_post(user, post))


def can_manage_webinars(user) -> bool:
    return is_staff(user)


def can_see_joining_link(user, session, booking) -> bool:
    """Only the person holding a seat, and only from shortly before the start until the
    end (the session knows when, from the site setting)."""
    return (_signed_in(user) and booking is not None and booking.user_id == user.id
            and booking.status == "booked" and session.joining_link_open())


def can_manage_programmes(user) -> bool:
    """Set up programmes, roles, rules and cohorts, and choose their coordinators."""
    return is_staff(user)


def _coordinator_ids(programme) -> frozenset:
    ids = getattr(programme, "coordinator_ids", None)
    if ids is None:
        raise ValueError("load the programme's coordinators first (load_coordinator_ids)")
    return ids


def is_coordinator(user, programme) -> bool:
    """Staff named as one of the programme's coordinators. Reads
    `programme.coordinator_ids`, loaded beforehand, never the database."""
    return is_staff(user) and user.id in _coordinator_ids(programme)


def can_coordinate(user, programme) -> bool:
    """Review its applications, write notes, accept and decline: its coordinators, and
    admins (who stand in when a coordinator is away)."""
    return is_admin(user) or is_coordinator(user, programme)


def can_see_equality(user, programme) -> bool:
    """Equality monitoring answers: the programme's coordinators only, not other staff
    and not admins who do not coordinate it."""
    return is_coordinator(user, programme)


def can_evaluate(user, programme) -> bool:
    """Build the programme's surveys, read their results and free-text answers, and publish
    its outcome summaries: whoever coordinates it (its coordinators, and admins)."""
    return can_coordinate(user, programme)


def can_see_equality_report(user, programme) -> bool:
    """Equality figures by group, every count protected against small numbers: its
    coordinators and admins. Each person's own answers stay with can_see_equality."""
    return can_coordinate(user, programme)


def can_view_application(user, application, programme) -> bool:
    """The applicant, or whoever coordinates the programme."""
    return _signed_in(user) and (application.applicant_id == user.id
                                 or can_coordinate(user, programme))


def can_change_application(user, application) -> bool:
    """Edit the draft, submit or withdraw: the applicant alone, never their coordinators."""
    return _signed_in(user) and application.applicant_id == user.id


def can_view_pair(user, rel) -> bool:
    """The pair's space (agreement, sessions, shared notes, goals, workbook): its two people,
    once the match is released, and afterwards as their record."""
    return (_signed_in(user) and rel.involves(user)
            and rel.status in ("released", "active", "closed"))


def can_work_in_pair(user, rel) -> bool:
    """Write in the pair's space: its two people while the relationship is open."""
    return _signed_in(user) and rel.involves(user) and rel.status in ("released", "active")


def can_edit_note(user, rel, note) -> bool:
    """Edit or delete a note: its author, while the pair is open."""
    return can_work_in_pair(user, rel) and note.author_id == user.id


def can_set_goals(user, rel) -> bool:
    """Add goals: both people in a two-way programme, the mentee alone in a one-way one."""
    return can_work_in_pair(user, rel) and (rel.programme.is_two_way
                                            or user.id == rel.mentee_id)


def can_edit_goal(user, rel, goal) -> bool:
    """Change a goal, or sign it off as achieved: its owner, until it is signed off."""
    return (can_work_in_pair(user, rel) and goal.owner_id == user.id
            and goal.signed_off_at is None)


def can_countersign_goal(user, rel, goal) -> bool:
    """Countersign a shared goal its owner has signed off: the pair's other person, once."""
    return (can_work_in_pair(user, rel) and goal.owner_id != user.id and goal.shared
            and goal.signed_off_at is not None and goal.countersigned_at is None)


def can_edit_leave(user, rel) -> bool:
    """The leave dates and keep-in-touch choice: the mentee, while the pair is open."""
    return can_work_in_pair(user, rel) and user.id == rel.mentee_id


def can_oversee_pairs(user, programme) -> bool:
    """The pairs' dates, counts and status (never their words): the programme's named
    coordinators. Admins are not included: pairs' spaces are private, and an admin who
    looks after a programme is named as its coordinator."""
    return is_coordinator(user, programme)


def can_close_pair(user, rel) -> bool:
    """End an open relationship, with a reason: either person, or a coordinator."""
    return rel.status in ("released", "active") and (
        (_signed_in(user) and rel.involves(user)) or is_coordinator(user, rel.programme))


def can_manage_newsletter(user) -> bool:
    """Write, preview and send newsletter issues."""
    return is_staff(user)


def can_read_newsletter(user, delivery) -> bool:
    """A sent issue: the people it was sent to (their delivery row, loaded beforehand, or
    None), and staff."""
    return is_staff(user) or (_signed_in(user) and delivery is not None
                              and delivery.user_id == user.id)


def can_manage_specialisms(user) -> bool:
    """The expert directory's specialisms and their workbook items: programme staff."""
    return is_staff(user)


def can_oversee_experts(user, programme) -> bool:
    """An open programme's experts and their activity (counts and dates, never what a pair
    writes), and its activity-check list: whoever coordinates the programme."""
    return can_coordinate(user, programme)


def can_edit_expert_profile(user, expert) -> bool:
    """An expert's specialisms, bio, capacity and availability: the expert alone."""
    return _signed_in(user) and expert.user_id == user.id


def can_ask_expert(user, expert) -> bool:
    """Ask for an introduction: anyone signed in, but not the expert themselves."""
    return _signed_in(user) and expert.user_id != user.id


def can_view_introduction(user, introduction) -> bool:
    """A learner's introduction and where each request stands: the learner alone."""
    return _signed_in(user) and introduction.learner_id == user.id


def can_answer_introduction(user, request) -> bool:
    """Accept or decline a request while signed in: the expert it was sent to. (The
    email's signed links work signed out; they carry the request.)"""
    return _signed_in(user) and request.expert.user_id == user.id


def require(rule, user, *objects) -> None:
    """The one way a view applies a rule: 403 unless `rule(user, *objects)` holds. It takes
    the rule itself, never its name, so a misspelt or renamed rule fails at import."""
    if not callable(rule):
        raise TypeError(f"require() takes a rule from portal.permissions, not {rule!r}")
    if not rule(user, *objects):
        abort(403)


def reveal(rule, user, *objects) -> None:
    """Like require(), for private things whose existence must not be confirmed: 404 unless
    `rule(user, *objects)` holds."""
    if not callable(rule):
        raise TypeError(f"reveal() takes a rule from portal.permissions, not {rule!r}")
    if not rule(user, *objects):
        abort(404)


RULES = {name: fn for name, fn in globals().items()
         if callable(fn) and (name.startswith("can_") or name.startswith("is_"))}
