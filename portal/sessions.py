"""Flask's signed-cookie sessions, with each process remembering what a cookie it has
already checked holds.

Checking a session cookie's signature, decompressing and parsing it cost more than the rest
of a page that comes from the shared fragments, and a browser sends the same cookie until
the session changes. Each process keeps the checked contents of the cookies it has seen
(bounded), keyed by the whole signed cookie, so nothing unsigned is ever trusted; a kept
cookie is still refused once it is older than the session's lifetime, as Flask would.
"""
import copy
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

KEPT = 10_000  # cookies a process remembers; more than that starts again


class RememberingSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        kept = app.extensions.setdefault("checked_session_cookies", {})
        found = kept.get(value)
        if found is None:
            serializer = self.get_signing_serializer(app)
            try:
                data, signed_at = serializer.loads(value, max_age=max_age,
                                                   return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if len(kept) >= KEPT:
                kept.clear()
            found = kept[value] = (data, signed_at.timestamp())
        elif time.time() - found[1] > max_age:
            kept.pop(value, None)
            return self.session_class()
        # A copy, as a view may change a list in it (flash appends to one) in place.
        return self.session_class({key: copy.deepcopy(value) if isinstance(value, list | dict)
                                   else value for key, value in found[0].items()})
