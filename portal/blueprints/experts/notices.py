"""The expert directory's emails. Each is written to the outbox inside the transaction of
the change that causes it, under a key that makes it one message however often a job or a
person repeats the change. Links are absolute (BASE_URL), because jobs queue some of these
without a request."""
from flask import render_template

from portal.blueprints.experts.models import CHECK_ANSWERS
from portal.links import absolute_url
from portal.outbox import queue_email
from portal.signed_links import sign

REQUEST_LINK = "expert-introduction"
CHECK_LINK = "expert-activity-check"


def _queue(key: str, to, subject: str, template: str, **context) -> str:
    queue_email(key, to.email, subject,
                render_template(f"emails/{template}", person=to, **context))
    return key


def request_token(request_id: int, answer: str) -> str:
    return sign(REQUEST_LINK, {"r": request_id, "a": answer})


def check_token(check_id: int, answer: str) -> str:
    return sign(CHECK_LINK, {"c": check_id, "a": answer})


def request_to_expert(request, expert_user, learner, introduction, items, programme) -> str:
    """"Can you help?", with signed accept and decline links that work signed out."""
    links = {answer: absolute_url("experts.answer_link", token=request_token(request.id, answer))
             for answer in ("accept", "decline")}
    return _queue(f"expert-request:{request.id}", expert_user,
                  f"{learner.name} asks for your help ({programme.name})",
                  "expert_request.txt", learner=learner, introduction=introduction,
                  items=items, programme=programme, expires_at=request.expires_at, links=links,
                  requests_link=absolute_url("experts.requests"))


def accepted_to_learner(request, expert_user, learner, programme, relationship) -> str:
    return _queue(f"expert-request-accepted:{request.id}", learner,
                  f"{expert_user.name} will help you ({programme.name})",
                  "expert_request_accepted.txt", expert=expert_user, programme=programme,
                  link=absolute_url("mentoring.show", relationship_id=relationship.id))


def not_this_time_to_learner(request, expert_user, learner, programme) -> str:
    """Declined or out of time: told kindly, with the way to other experts for the same
    things."""
    return _queue(f"expert-request-{request.status}:{request.id}", learner,
                  f"Your request to {expert_user.name} ({programme.name})",
                  "expert_request_not_this_time.txt", expert=expert_user, request=request,
                  programme=programme,
                  link=absolute_url("experts.introduction",
                                    introduction_id=request.introduction_id))


def activity_check(check, expert, expert_user, programme, answer_days: int) -> str:
    """"Still available?" with one signed link per answer."""
    links = {answer: absolute_url("experts.check_link", token=check_token(check.id, answer))
             for answer in CHECK_ANSWERS}
    return _queue(f"expert-activity-check:{expert.id}:{check.period_start.isoformat()}",
                  expert_user, f"Are you still available as an expert? ({programme.name})",
                  "expert_activity_check.txt", programme=programme, links=links,
                  answers=CHECK_ANSWERS, answer_days=answer_days,
                  profile_link=absolute_url("experts.profile", programme_id=programme.id))
