"""People with something in every area, for the export and erasure tests: board posts, a hub
comment, a webinar booking, an application with equality answers, an uploaded file and a
mentoring relationship with notes. Made through the real services where they exist. Every
text a person writes carries their `tag`, so a test can tell whose data is whose."""
import dataclasses
import io

from portal import audience, uploads
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as boards
from portal.blueprints.hub import services as hub
from portal.blueprints.library import services as library
from portal.blueprints.library.models import FILE
from portal.blueprints.mentoring.models import Note
from portal.blueprints.programmes import services_applications as applications
from portal.blueprints.webinars import services as webinars
from portal.db import db
from tests.mentoring_factories import make_programme, release_pair
from tests.programme_factories import make_rtw, mentee_answers, submitted
from tests.webinar_factories import make_session


@dataclasses.dataclass
class World:
    staff: object
    board: object
    article: object
    session: object
    programme: object
    cohort: object
    pair_programme: object
    pair_cohort: object


def make_world(app, make_user, make_article) -> World:
    staff = make_user(role="staff", name="Cora Coordinator", email="cora@example.nhs.uk")
    article = make_article(title="Planning your handover", author=staff)
    session = make_session(app, title="Group supervision")
    with app.app_context(), db.connection_context():
        board = boards.save_board(staff, None, name="General", description="",
                                  audience_value=audience.SIGNED_IN, group_ids=[], position=0)
        programme, cohort = make_rtw(staff)
        pair_programme, pair_cohort = make_programme(staff, "transcultural")
    return World(staff, board, article, session, programme, cohort, pair_programme,
                 pair_cohort)


def give_a_life(app, world: World, person, tag: str) -> None:
    """Posts, a comment, a booking, an application, an upload, in `person`'s name."""
    with app.app_context(), db.connection_context():
        user = User.get_by_id(person.id)
        post = boards.start_thread(user, world.board, f"{tag} thread", f"{tag} opening post")
        boards.reply(user, post.thread, f"{tag} reply")
        hub.add_comment(user, world.article, f"{tag} comment on the handover article")
        webinars.book_seat(user, world.session.id)
        application = submitted(user, world.programme, world.cohort,
                                answers=mentee_answers(world.programme,
                                                       motivation=f"{tag} motivation"))
        applications.save_equality(application, applications.Equality(
            ethnicity="mixed", sex="female", disability="no"))
        content = f"{tag} reflective log\n".encode()
        checked = uploads.receive(io.BytesIO(content), f"{tag}-log.txt",
                                  app.config["UPLOAD_DIR"], 1024 * 1024)
        library.create_resource(user, library.ResourceData(
            title=f"{tag} log", description="", kind=FILE, url="", topic_ids=[],
            audience_value=audience.STAFF, group_ids=[], cohort_id=None, article_ids=[]),
            checked, app.config["UPLOAD_DIR"])


def pair_up(app, world: World, mentor, mentee, now=None):
    """A released relationship between the two, with a private note by each and a shared
    one by the mentor."""
    with app.app_context(), db.connection_context():
        rel = release_pair(world.pair_programme, world.pair_cohort, mentor, mentee, now=now)
        for author, shared, body in ((mentor, False, "mentor's private thoughts"),
                                     (mentee, False, "mentee's private thoughts"),
                                     (mentor, True, "notes from our first meeting")):
            Note.create(relationship=rel, author=author.id, body=body, shared=shared)
        return rel

