"""Demo boards: a mentors' network, a cohort's board and a general one, each with a few
threads, written through the real services (counters, mentions, search entries). Run
again, it adds only what is missing."""
from portal import audience
from portal.blueprints.boards import services
from portal.blueprints.boards.models import Board, Thread
from portal.groups import Group

STAFF, MENTOR, MENTEE = "staff@tandem.example", "mentor@tandem.example", "mentee@tandem.example"
MODERATOR = "moderator@tandem.example"

# name, description, group (None: anyone signed in), threads: (author, title, pinned, posts)
BOARDS = [
    ("Mentor network", "Peer support for trained mentors between network meetings.", "Mentors", [
        (MENTOR, "Tips for a first telephone session", False, [
            "My first telephone mentoring session is next week: 90 minutes, the first of three. "
            "How do you open so that it does not feel like an interview?",
            (STAFF, "Agree how you will work first: confidentiality, what happens between "
                    "sessions, and how you will end. Then ask what a good outcome of the "
                    "three sessions would look like for them."),
            (MENTOR, "Thank you, that helps. I will send the agreement template beforehand."),
        ]),
        (STAFF, "Dilemmas for the next supervision webinar", False, [
            "The next supervision webinar has room for two dilemmas. Post a short, anonymised "
            "summary here if you would like yours discussed. Leave out names, wards and "
            "anything that could identify a patient or a colleague.",
        ]),
    ]),
    ("Return to work cohort 2027", "For mentors and mentees in the 2027 return-to-work "
     "cohort: planning the return, keeping in touch, and the first months back.",
     "Return to Work 2027 cohort", [
         (MENTEE, "Keeping in touch days: how did you use yours?", False, [
             "I have ten keeping in touch days before I go back in March. Did anyone use "
             "them for training rather than shifts?",
             (MENTOR, "@Tom Mentee I used two for mandatory training and one to shadow the "
                      "new rota coordinator. Book the training early: places go fast."),
         ]),
         (MENTOR, "Phased return: what to ask for", False, [
             "A phased return over four weeks made all the difference for me. Ask for it in "
             "writing before your return date, and agree a review at the end of week two.",
         ]),
     ]),
    ("General", "Introductions, questions and useful links, for everyone signed in.", None, [
        (STAFF, "Welcome: introduce yourself", True, [
            "Say hello: your role, your organisation and what you hope to get from "
            "mentoring. You can mention someone by typing @ and their name.",
            (MENTEE, "Hello, I am a band 6 physiotherapist coming back after adoption leave, "
                     "hoping to rebuild my confidence on the wards."),
        ]),
        (MODERATOR, "How we keep this space kind", False, [
            "Be kind, keep patients and colleagues anonymous, and use **Report** on any post "
            "that worries you: only the moderators see reports.",
        ]),
    ]),
]


def ensure_boards(people: dict) -> int:
    """Boards by name, threads by title; returns how many threads were added."""
    groups = {g.name: g.id for g in Group.select()}
    added = 0
    for position, (name, description, group, threads) in enumerate(BOARDS):
        board = Board.get_or_none(Board.name == name) or services.save_board(
            people[STAFF], None, name=name, description=description,
            audience_value=audience.GROUPS if group else audience.SIGNED_IN,
            group_ids=[groups[group]] if group else [], position=position)
        for author, title, pinned, posts in threads:
            if Thread.select().where(Thread.board == board, Thread.title == title).exists():
                continue
            first = services.start_thread(people[author], board, title, posts[0])
            for replier, text in posts[1:]:
                services.reply(people[replier], first.thread, text)
            if pinned:
                Thread.update(pinned=True).where(Thread.id == first.thread_id).execute()
            added += 1
    return added
