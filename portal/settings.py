"""Site settings that admins change in the portal, stored as rows, with defaults in code."""
import json
from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context
from peewee import CharField, TextField

from portal.db import BaseModel
from portal.kept import kept
from portal.prepared import Prepared


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its label and hint for the settings page, its default, and for numbers
    the unit and the range the settings form accepts."""

    key: str
    label: str
    hint: str
    default: object
    kind: type = bool
    unit: str = ""
    minimum: int = 0
    maximum: int = 0
    lines: bool = False  # text that holds one entry per line
    config_key: str = ""  # until an admin sets it, the default is this app setting
    upload: bool = False  # an uploaded file; the stored value describes it


SPECS = [
    SettingSpec("hub_requires_approval", "Articles need a second person's approval",
                "A staff member other than the author approves an article in review "
                "before it is published.", False),
    SettingSpec("premoderate_first_posts", "Posts held for approval from new members",
                "A member's first board posts (this many) wait for a moderator before others "
                "see them. 0 turns this off.", 0,
                int, unit="posts", minimum=0, maximum=50),
    SettingSpec("held_words", "Words that hold a post for review",
                "One word or phrase per line. A board post containing any of them waits "
                "for a moderator.", "", str,
                lines=True),
    SettingSpec("library_max_upload_mb", "Largest file that can be uploaded (MB)",
                "Uploads to the resource library larger than this are refused. At most 32.",
                20,
                int, unit="megabytes", minimum=1, maximum=32),
    SettingSpec("hub_review_months", "Months before an article is due for review",
                "New articles get a review date this many months after publication.", 12,
                int, unit="months", minimum=1, maximum=60),
    SettingSpec("webinar_claim_hours", "Hours to claim a webinar seat offered from the waitlist",
                "When a seat frees up, the next person on the waitlist has this long to claim "
                "it before it passes on. 0 books them straight away.", 24,
                int, unit="hours", minimum=0, maximum=168),
    SettingSpec("webinar_booking_cutoff_minutes", "Minutes before a webinar that booking closes",
                "Nobody can book or join the waitlist after this.", 60,
                int, unit="minutes", minimum=0, maximum=10080),
    SettingSpec("webinar_join_minutes", "Minutes before a webinar that the joining link appears",
                "Only people with a seat see the link, and only from this time.", 15,
                int, unit="minutes", minimum=0, maximum=1440),
    SettingSpec("organisation_timezone", "Organisation time zone",
                "Times are shown in this zone, for example Europe/London.",
                "Europe/London", str),
    SettingSpec("boards_edit_window_minutes", "Minutes to edit a board post",
                "After this, authors can no longer edit their own posts (they can still "
                "delete them).", 30,
                int, unit="minutes", minimum=0, maximum=10080),
    SettingSpec("boards_daily_email_cap", "Board emails per person per day",
                "After this many, the rest waits for the person's daily digest.", 10,
                int, unit="emails", minimum=0, maximum=100),
    SettingSpec("boards_posts_per_minute", "Board posts per person per minute",
                "Threads and replies beyond this are refused for a minute.", 5,
                int, unit="posts", minimum=1, maximum=60),
]
# What the daily retention job removes, and after how long (0 keeps it for ever).
RETENTION_SPECS = [
    SettingSpec("retention_email_body_days", "Days to keep the text of sent emails",
                "After this, the outbox keeps only who an email went to, its subject and "
                "when. 0 keeps the text for ever.", 90,
                int, unit="days", minimum=0, maximum=3650),
    SettingSpec("retention_notification_days", "Days to keep notifications",
                "Older notifications are deleted. 0 keeps them for ever.", 365,
                int, unit="days", minimum=0, maximum=3650),
    SettingSpec("retention_audit_ip_months", "Months to keep addresses in the audit log",
                "After this, the audit log keeps the action but not the internet address it "
                "came from. 0 keeps addresses for ever.", 6,
                int, unit="months", minimum=0, maximum=120),
    SettingSpec("retention_closed_notes_months",
                "Months to keep a closed relationship's notes",
                "Counted from the day the relationship closed. 0 keeps them for ever.", 24,
                int, unit="months", minimum=0, maximum=120),
    SettingSpec("retention_unconfirmed_days", "Days to keep accounts never confirmed",
                "An account whose email address was never confirmed is deleted after this. "
                "0 keeps them for ever.", 30,
                int, unit="days", minimum=0, maximum=3650),
    SettingSpec("retention_applications_months",
                "Months to keep declined and withdrawn applications",
                "Counted from the end of the cohort (for an always-open programme, from the "
                "decision). 0 keeps them for ever.", 12,
                int, unit="months", minimum=0, maximum=120),
]
BRANDING_SPECS = [
    SettingSpec("organisation_name", "Organisation name",
                "Shown in the header and footer of every page.", None, str,
                config_key="ORGANISATION_NAME"),
    SettingSpec("organisation_logo", "Organisation logo",
                "A PNG or SVG image, at most 256 KB, shown in the header in place of the NHS "
                "logo. An SVG with scripts, event handlers or links to other files is "
                "refused.", None, dict, upload=True),
    SettingSpec("footer_links", "Footer links",
                "One link per line: the text, a vertical bar, then the address. For example: "
                "Privacy notice | https://www.example.nhs.uk/privacy", "", str, lines=True),
]
# The volunteer expert directory.
EXPERT_SPECS = [
    SettingSpec("expert_request_days", "Days an expert has to answer an introduction request",
                "After this the request lapses, and the learner is told and shown other "
                "experts for the same things.", 7,
                int, unit="days", minimum=1, maximum=60),
    SettingSpec("expert_check_weeks", "Weeks between activity checks of experts",
                "Every this many weeks each listed expert is emailed “Still available?”.", 12,
                int, unit="weeks", minimum=1, maximum=52),
    SettingSpec("expert_check_answer_days", "Days to answer an activity check",
                "An expert who has not answered after this is no longer listed, and appears "
                "on the organiser's list of experts to contact.", 14,
                int, unit="days", minimum=1, maximum=90),
]
SPECS = SPECS + RETENTION_SPECS + BRANDING_SPECS + EXPERT_SPECS
SPECS_BY_KEY = {spec.key: spec for spec in SPECS}


def _default(spec: SettingSpec):
    if spec.config_key and has_app_context():
        return current_app.config[spec.config_key]
    return spec.default


def _defaults() -> dict:
    """Every setting's default: the same for every request while the configuration the
    defaults come from is."""
    def every() -> dict:
        return {spec.key: _default(spec) for spec in SPECS}

    if not has_app_context():
        return every()
    config = tuple(current_app.config[spec.config_key] for spec in SPECS if spec.config_key)
    return kept("setting_defaults", config, every)


class Setting(BaseModel):
    key = CharField(max_length=60, unique=True)
    value = TextField()


def all_settings() -> dict:
    """Every setting, stored or default: one query, cached for the request."""
    if has_request_context() and "settings" in g:
        return g.settings
    values = dict(_defaults())
    for key, value in STORED().tuples():
        if key in SPECS_BY_KEY:
            values[key] = json.loads(value)
    if has_request_context():
        g.settings = values
    return values


def get(key: str):
    """One setting; the webinar pages ask for the same ones many times a request."""
    if has_request_context():
        values = g.get("settings")
        if values is not None:
            return values[key]
    return all_settings()[key]


def save(values: dict) -> dict:
    """Store the given settings; returns the previous values of those that changed."""
    current = all_settings()
    changed = {k: current[k] for k, v in values.items() if k in SPECS_BY_KEY and current[k] != v}
    for key in changed:
        encoded = json.dumps(values[key])
        (Setting.insert(key=key, value=encoded)
         .on_conflict(conflict_target=[Setting.key], update={Setting.value: encoded})
         .execute())
    if has_request_context():
        g.pop("settings", None)
    return changed


STORED = Prepared(lambda: Setting.select(Setting.key, Setting.value))
