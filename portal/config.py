"""Configuration from environment variables, with defaults that run on a fresh checkout."""
import os
import secrets
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    return {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'tandem.db'}"),
        "HUEY_URL": os.environ.get("HUEY_URL", f"sqlite:///{instance / 'huey.db'}"),
        "MAIL_URL": os.environ.get("MAIL_URL", "console:"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Tandem <no-reply@tandem.localhost>"),
        "RATELIMIT_URL": os.environ.get("RATELIMIT_URL", "database"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance / "uploads")),
        "SITE_NAME": os.environ.get("SITE_NAME", "Tandem"),
        "ORGANISATION_NAME": os.environ.get("ORGANISATION_NAME", "NHS People Development"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
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
        "OUTBOX_MAX_ATTEMPTS": 8,
        "OUTBOX_BACKOFF_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "60")),
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("OUTBOX_LEASE_SECONDS", "120")),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }
