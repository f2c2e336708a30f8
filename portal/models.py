"""Every model in the portal, in dependency order: for create_tables and schema checks."""
from portal.audience import AudienceGroup
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import (
    DataExport,
    RecoveryCode,
    User,
    UserSession,
    UserTopic,
)
from portal.blueprints.boards.models import MODELS as BOARD_MODELS
from portal.blueprints.evaluation.models import MODELS as EVALUATION_MODELS
from portal.blueprints.experts.models import MODELS as EXPERT_MODELS
from portal.blueprints.hub.models import (
    Article,
    ArticleRevision,
    ArticleTopic,
    Bookmark,
    Comment,
    Rating,
)
from portal.blueprints.library.models import (
    ArticleResource,
    Resource,
    ResourceFile,
    ResourceTopic,
)
from portal.blueprints.mentoring.models import MODELS as MENTORING_MODELS
from portal.blueprints.newsletter.models import MODELS as NEWSLETTER_MODELS
from portal.blueprints.programmes.models import MODELS as PROGRAMME_MODELS
from portal.blueprints.webinars.models import (
    WebinarBooking,
    WebinarFeed,
    WebinarReminder,
    WebinarResource,
    WebinarSeries,
    WebinarSession,
)
from portal.fragments import MODELS as FRAGMENT_MODELS
from portal.fragments import create_triggers
from portal.groups import Group, GroupMembership
from portal.notifications import NotificationPreference, PreferenceChange, UserNotification
from portal.outbox import OutboxMessage
from portal.ratelimit import RateLimitEvent
from portal.reports import Report
from portal.search import SearchDocument, create_index_tables
from portal.settings import Setting
from portal.taxonomy import Topic

ALL_MODELS = [
    Topic,
    User,
    UserTopic,
    UserSession,
    RecoveryCode,
    DataExport,
    Group,
    GroupMembership,
    AudienceGroup,
    AuditEntry,
    OutboxMessage,
    RateLimitEvent,
    Setting,
    SearchDocument,
    Article,
    ArticleTopic,
    ArticleRevision,
    Bookmark,
    Rating,
    Comment,
    Report,
    Resource,
    ResourceTopic,
    ResourceFile,
    ArticleResource,
    WebinarSeries,
    WebinarSession,
    WebinarBooking,
    WebinarReminder,
    WebinarFeed,
    WebinarResource,
    *BOARD_MODELS,
    *PROGRAMME_MODELS,
    *MENTORING_MODELS,
    *EVALUATION_MODELS,
    UserNotification,
    NotificationPreference,
    PreferenceChange,
    *NEWSLETTER_MODELS,
    *EXPERT_MODELS,
    *FRAGMENT_MODELS,
]


def create_all(database) -> None:
    """Tables for the models plus the search engine's own index tables and the triggers that
    version shared fragments (tests, scripts)."""
    database.create_tables(ALL_MODELS)
    create_index_tables(database)
    create_triggers(database)
