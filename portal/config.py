"""Configuration from environment variables, with defaults that run on a fresh checkout.

The defaults suit one developer's machine (a loopback address, email written to the log,
a key generated here). Unless TANDEM_ENV=development, `check_config` refuses them, so a
server cannot go live on them by accident.
"""
import ipaddress
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


DEVELOPMENT = "development"
REDIS_PREFIXES = ("redis://", "rediss://")  # rediss: Redis over TLS
HUEY_PREFIXES = ("sqlite:///", *REDIS_PREFIXES)


class ConfigurationError(RuntimeError):
    """The configuration cannot run; the message says what to change."""


def _secret_key(instance: Path) -> str:
    """Generate a key once into the instance folder, so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    try:  # several workers may start at once: only the first one writes the key
        fd = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    for _ in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)  # another worker is between creating and writing the file
    raise RuntimeError(f"{key_file} is empty: delete it and start again")


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config() -> dict:
    instance = _instance_dir()
    environment = os.environ.get("TANDEM_ENV", "production").strip().lower()
    return {
        "INSTANCE_DIR": str(instance),
        "TANDEM_ENV": environment,
        "SECRET_KEY": _secret_key(instance),
        "SECRET_KEY_GENERATED": not os.environ.get("SECRET_KEY"),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'tandem.db'}"),
        "HUEY_URL": os.environ.get("HUEY_URL", f"sqlite:///{instance / 'huey.db'}"),
        "MAIL_URL": os.environ.get("MAIL_URL", "console:"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Tandem <no-reply@tandem.localhost>"),
        "RATELIMIT_URL": os.environ.get("RATELIMIT_URL", "database"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance / "uploads")),
        "SITE_NAME": os.environ.get("SITE_NAME", "Tandem"),
        "ORGANISATION_NAME": os.environ.get("ORGANISATION_NAME", "NHS People Development"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "BRANDING_CACHE_SECONDS": 30,  # how long another server may show the old branding
        "SESSION_COOKIE_SECURE": _flag("COOKIE_SECURE", True),
        "REMEMBER_COOKIE_SECURE": _flag("COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_DAYS": int(os.environ.get("SESSION_DAYS", "30")),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "VERIFY_LINK_HOURS": 72,
        "RESET_LINK_MINUTES": 60,
        "LOGIN_FAILURES_PER_MINUTE": 10,
        "RESET_REQUESTS_PER_HOUR": 5,
        "COMMENTS_PER_MINUTE": 5,
        # Moderators, staff and admins must set up two-factor sign-in. Only development
        # may turn this off (check_config), so local runs and tests can sign staff in with
        # a password alone.
        "REQUIRE_STAFF_TOTP": _flag("REQUIRE_STAFF_TOTP", environment != DEVELOPMENT),
        "TWO_FACTOR_FAILURES_PER_15_MINUTES": 5,
        "DATA_EXPORTS_PER_DAY": 3,
        "DATA_EXPORT_DAYS": 7,
        "OUTBOX_MAX_ATTEMPTS": 8,
        "OUTBOX_BACKOFF_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "60")),
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("OUTBOX_LEASE_SECONDS", "120")),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _is_loopback(host: str) -> bool:
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_config(config) -> None:
    """Refuse to start on settings that cannot work anywhere, and, outside development,
    on the local defaults. Raises ConfigurationError listing every problem."""
    problems = []
    if not config["HUEY_URL"].startswith(HUEY_PREFIXES):
        problems.append(f"HUEY_URL must start with sqlite:///, redis:// or rediss:// "
                        f"(it is {config['HUEY_URL']!r})")
    if not (config["RATELIMIT_URL"] == "database"
            or config["RATELIMIT_URL"].startswith(REDIS_PREFIXES)):
        problems.append(f"RATELIMIT_URL must be 'database', or start with redis:// or "
                        f"rediss:// (it is {config['RATELIMIT_URL']!r})")
    if config.get("TANDEM_ENV") != DEVELOPMENT:
        if _is_loopback(urlsplit(config["BASE_URL"]).hostname):
            problems.append(f"BASE_URL is a loopback address ({config['BASE_URL']}): set it "
                            f"to the address people use, like https://tandem.example.nhs.uk")
        if config["MAIL_URL"].startswith("console:"):
            problems.append("MAIL_URL is console:, so no email would be sent: set it to "
                            "smtp://… or smtps://…")
        if not config.get("REQUIRE_STAFF_TOTP", True):
            problems.append("REQUIRE_STAFF_TOTP is off: moderators, staff and admins must "
                            "sign in with a second factor; remove the setting")
        if config.get("SECRET_KEY_GENERATED"):
            problems.append("SECRET_KEY was generated on this machine: set the same SECRET_KEY "
                            "on every app server")
    if problems:
        advice = ("" if config.get("TANDEM_ENV") == DEVELOPMENT else
                  "\n(To run on the local defaults, set TANDEM_ENV=development.)")
        raise ConfigurationError("Tandem cannot start:\n- " + "\n- ".join(problems) + advice)
