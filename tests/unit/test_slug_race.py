"""Two people saving the same title at once: the slug index refuses the second save, and
the service retries with a fresh slug inside the same transaction. On PostgreSQL a failed
statement aborts the whole transaction, so the retry only works after rolling back to a
savepoint taken around the first save; SQLite forgives it either way, so run this on both."""
import pytest

from portal import audience, slugs
from portal.blueprints.boards import services as board_services
from portal.blueprints.boards.models import Board
from portal.blueprints.hub import services as hub_services
from portal.blueprints.hub.models import Article


@pytest.fixture
def stale_first_lookup(monkeypatch):
    """The first slug lookup answers as if it ran just before another save took `slug`."""
    real, calls = slugs.unique_slug, []

    def lookup(taken: str):
        def unique_slug(field, text, own_id=None, reserved=frozenset()):
            calls.append(text)
            return taken if len(calls) == 1 else real(field, text, own_id, reserved)
        monkeypatch.setattr(slugs, "unique_slug", unique_slug)
        return calls

    return lookup


def _article(author, title):
    return hub_services.save_article(author, None, title=title, summary="", body="Text.",
                                     kind="guide", topic_ids=[],
                                     audience_value=audience.SIGNED_IN, group_ids=[],
                                     review_by=None)


def _board(actor, name):
    return board_services.save_board(actor, None, name=name, description="",
                                     audience_value=audience.SIGNED_IN, group_ids=[],
                                     position=0)


def test_a_hub_slug_taken_in_the_meantime_gets_a_fresh_one(database, make_user,
                                                            stale_first_lookup):
    author = make_user(role="staff")
    first = _article(author, "Planning your handover")
    calls = stale_first_lookup(first.slug)

    second = _article(author, "Planning your handover")

    assert len(calls) == 2
    assert second.slug != first.slug
    assert second.slug.startswith("planning-your-handover-")
    assert [a.title for a in Article.select()] == ["Planning your handover"] * 2


def test_a_board_slug_taken_in_the_meantime_gets_a_fresh_one(database, make_user,
                                                             stale_first_lookup):
    staff = make_user(role="staff")
    first = _board(staff, "New starters")
    calls = stale_first_lookup(first.slug)

    second = _board(staff, "New starters")

    assert len(calls) == 2
    assert second.slug.startswith("new-starters-") and second.slug != first.slug
    assert Board.select().count() == 2


def test_slugs_skip_taken_and_reserved_ones(database, make_user):
    staff = make_user(role="staff")
    assert _board(staff, "Manage").slug == "manage-board"
    assert _board(staff, "Café chat").slug == "cafe-chat"
    assert _board(staff, "Cafe chat").slug == "cafe-chat-2"
    assert slugs.unique_slug(Board.slug, "Cafe chat") == "cafe-chat-3"
