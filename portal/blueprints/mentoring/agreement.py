"""What the pair page shows about the agreement (a stub until the section is built)."""


def section_context(rel, user, today) -> dict:
    """The template variables of the pair page's agreement section: a fixed number of queries."""
    return {}
