"""What the pair page shows about the sessions (a stub until the section is built)."""


def section_context(rel, user, today) -> dict:
    """The template variables of the pair page's sessions section: a fixed number of queries."""
    return {}
