"""Signed links in emails that work signed out: email confirmation, password reset,
"tell me when it opens". Each purpose has its own salt, so a link made for one purpose is
refused by every other. The data is signed, not hidden: never put a secret in it."""
from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkProblem(Exception):
    """Why a link cannot be used: 'expired', 'invalid' or 'used'. `message` says it to the
    person who followed the link."""

    MESSAGES = {
        "expired": "This link has expired.",
        "invalid": "This link is not valid. Check you copied the whole link from the email.",
        "used": "This link has already been used.",
    }

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.message = self.MESSAGES[reason]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"tandem-{purpose}")


def sign(purpose: str, data: dict) -> str:
    return _serializer(purpose).dumps(data)


def load(purpose: str, token: str, id_key: str, max_age: int | None) -> dict:
    """The signed data, which carries an integer under `id_key`. Raises LinkProblem:
    "expired" after `max_age` seconds (None: never), "invalid" for anything else."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkProblem("expired") from exc
    except BadSignature as exc:
        raise LinkProblem("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get(id_key), int):
        raise LinkProblem("invalid")
    return data


def problem_page(problem: LinkProblem, advice: str, retry_href: str, retry_text: str):
    """The page (400) for a link that cannot be used: what went wrong, what the person can
    do about it, and a link to try again."""
    return render_template("link_problem.html", problem=problem, advice=advice,
                           retry_href=retry_href, retry_text=retry_text), 400
