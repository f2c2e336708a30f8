"""Library resources (the recording, the slides) attached to a session afterwards."""
from portal.blueprints.webinars.models import WebinarResource


def resources_for(session, user) -> list:
    """What the person may see of the session's resources: the library's audience rules."""
    return list(WebinarResource.for_session(session, user))
