"""Rate limits shared by every worker: counters live in the database (or Redis at scale),
never in process memory, which would multiply the limit by the number of workers."""
import datetime as dt
import time
from dataclasses import dataclass

import redis
from flask import current_app
from peewee import CharField, DateTimeField

from portal import settings
from portal.config import REDIS_PREFIXES, ConfigurationError
from portal.db import BaseModel, utcnow


class RateLimitEvent(BaseModel):
    bucket = CharField(max_length=40)
    key = CharField(max_length=200)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("bucket", "key", "created_at"), False),)


class DatabaseStore:
    def count(self, bucket: str, key: str, window: int) -> int:
        since = utcnow() - dt.timedelta(seconds=window)
        return (RateLimitEvent.select().where(RateLimitEvent.bucket == bucket,
                                              RateLimitEvent.key == key,
                                              RateLimitEvent.created_at > since).count())

    def add(self, bucket: str, key: str, window: int) -> None:
        RateLimitEvent.create(bucket=bucket, key=key)

    def clear(self, bucket: str, key: str) -> None:
        RateLimitEvent.delete().where(RateLimitEvent.bucket == bucket,
                                      RateLimitEvent.key == key).execute()

    @staticmethod
    def purge_older_than(seconds: int) -> int:
        cutoff = utcnow() - dt.timedelta(seconds=seconds)
        return RateLimitEvent.delete().where(RateLimitEvent.created_at < cutoff).execute()


class RedisStore:
    """A sliding window per key in a sorted set."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)

    def _name(self, bucket: str, key: str) -> str:
        return f"tandem:rl:{bucket}:{key}"

    def count(self, bucket: str, key: str, window: int) -> int:
        name, now = self._name(bucket, key), time.time()
        self.client.zremrangebyscore(name, 0, now - window)
        return self.client.zcard(name)

    def add(self, bucket: str, key: str, window: int) -> None:
        name, now = self._name(bucket, key), time.time()
        pipe = self.client.pipeline()
        pipe.zadd(name, {f"{now:.6f}:{time.perf_counter_ns()}": now})
        pipe.expire(name, window)
        pipe.execute()

    def clear(self, bucket: str, key: str) -> None:
        self.client.delete(self._name(bucket, key))


def store():
    """The store RATELIMIT_URL names: `database`, or Redis (`redis://`, or `rediss://` for
    TLS). create_app has already refused any other value, so none falls through silently."""
    url = current_app.config["RATELIMIT_URL"]
    if url.startswith(REDIS_PREFIXES):
        if "ratelimit_store" not in current_app.extensions:
            current_app.extensions["ratelimit_store"] = RedisStore(url)
        return current_app.extensions["ratelimit_store"]
    if url != "database":
        raise ConfigurationError(f"RATELIMIT_URL {url!r} names no rate-limit store")
    return DatabaseStore()


class Limit:
    """`limit` events per `window` seconds for one bucket, e.g. failed log-ins per address."""

    def __init__(self, bucket: str, limit: int, window: int):
        self.bucket, self.limit, self.window = bucket, limit, window

    def exceeded(self, key: str) -> bool:
        return store().count(self.bucket, key, self.window) >= self.limit

    def hit(self, key: str) -> None:
        store().add(self.bucket, key, self.window)

    def reset(self, key: str) -> None:
        store().clear(self.bucket, key)


@dataclass(frozen=True)
class Rule:
    """Where a limit's number comes from: a site setting that admins change (`setting`),
    or the deployment's config (`config`); and the window it counts over, in seconds."""

    window: int
    setting: str = ""
    config: str = ""


# Every rate limit in the portal, by bucket: the one place that says how many, and where
# that number is set.
LIMITS = {
    "login-failed": Rule(60, config="LOGIN_FAILURES_PER_MINUTE"),
    "reset-request": Rule(3600, config="RESET_REQUESTS_PER_HOUR"),
    # "Tell me when it opens" sends an email to any address typed in, like a reset request.
    "opening-alert": Rule(3600, config="RESET_REQUESTS_PER_HOUR"),
    "board-post": Rule(60, setting="boards_posts_per_minute"),
    "comment": Rule(60, config="COMMENTS_PER_MINUTE"),
    # Wrong two-factor codes, per account and per address: a six-digit code falls to
    # guessing without a limit.
    "two-factor-failed": Rule(900, config="TWO_FACTOR_FAILURES_PER_15_MINUTES"),
    "data-export": Rule(86400, config="DATA_EXPORTS_PER_DAY"),
}


def limit(bucket: str) -> Limit:
    """The limit for `bucket`, with its number read now from where LIMITS says."""
    rule = LIMITS[bucket]
    count = settings.get(rule.setting) if rule.setting else current_app.config[rule.config]
    return Limit(bucket, count, rule.window)
