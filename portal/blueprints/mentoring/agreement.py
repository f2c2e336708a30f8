"""What the pair page shows about the agreement: its words (or the suggested words, until
the pair save their own), its version, and each person's dated confirmation. One query."""
import dataclasses

from portal.blueprints.mentoring.models import Agreement
from portal.blueprints.mentoring.services_agreement import Words, default_words, words_of
from portal.blueprints.programmes.models import CHANNELS


@dataclasses.dataclass
class Confirmation:
    name: str
    role: str
    confirmed_at: object  # naive UTC datetime, or None


@dataclasses.dataclass
class AgreementSection:
    words: Words
    channel_label: str
    version: int  # 0: nothing saved yet, the words are the suggested ones
    confirmations: list[Confirmation]
    mine_confirmed: bool
    updated_by_name: str | None
    updated_at: object


def section(rel, user) -> AgreementSection:
    agreement = Agreement.get_or_none(Agreement.relationship == rel.id)
    words = words_of(agreement) if agreement else default_words(rel)
    confirmed = {"mentor": agreement.mentor_confirmed_at if agreement else None,
                 "mentee": agreement.mentee_confirmed_at if agreement else None}
    people = {"mentor": rel.mentor, "mentee": rel.mentee}
    editor = None
    if agreement is not None and agreement.updated_by_id is not None:
        editor = people["mentor" if agreement.updated_by_id == rel.mentor_id else "mentee"].name
    return AgreementSection(
        words=words,
        channel_label=CHANNELS.get(words.channel, words.channel),
        version=agreement.version if agreement else 0,
        confirmations=[Confirmation(people[role].name, role, confirmed[role])
                       for role in ("mentor", "mentee")],
        mine_confirmed=confirmed[rel.role_of(user)] is not None,
        updated_by_name=editor, updated_at=agreement.updated_at if agreement else None)


def section_context(rel, user, today) -> dict:
    """The template variables of the pair page's agreement section: one query."""
    return {"agreement_section": section(rel, user)}
