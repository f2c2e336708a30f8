"""Every model in the portal, in dependency order: for create_tables and schema checks."""
from portal.audience import AudienceGroup
from portal.blueprints.accounts.models import User, UserSession, UserTopic
from portal.blueprints.hub.models import Topic
from portal.blueprints.staff.models import AuditEntry, Group, GroupMembership
from portal.outbox import OutboxMessage
from portal.ratelimit import RateLimitEvent

ALL_MODELS = [
    Topic,
    User,
    UserTopic,
    UserSession,
    Group,
    GroupMembership,
    AudienceGroup,
    AuditEntry,
    OutboxMessage,
    RateLimitEvent,
]
