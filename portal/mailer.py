"""Delivery of outbox messages through MAIL_URL: `console:` (log only) or `smtp://...`."""
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app


class MailError(Exception):
    """Delivery failed in a way worth retrying."""


def build_message(message) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    # The same outbox row always carries the same Message-ID, so a receiver can tell a
    # resend (after a sender died between SMTP and its commit) from a new message.
    # (make_msgid adds the time and a random part, so it is built here instead.)
    stamp = f"{message.created_at:%Y%m%d%H%M%S}" if message.created_at else "0"
    email["Message-ID"] = f"<outbox-{message.id}.{stamp}@tandem.localhost>"
    email["X-Tandem-Key"] = message.key
    email.set_content(message.body_text)
    if message.attachment_name:
        maintype, _, subtype = message.attachment_type.partition("/")
        email.add_attachment(message.attachment_body.encode(), maintype=maintype,
                             subtype=subtype, filename=message.attachment_name)
    return email


def send(message) -> None:
    url = current_app.config["MAIL_URL"]
    email = build_message(message)
    if url.startswith("console:"):
        current_app.logger.info("email to %s: %s\n%s", message.to_addr, message.subject,
                                message.body_text)
        return
    if url.startswith(("smtp://", "smtps://")):
        _send_smtp(url, email)
        return
    raise MailError(f"unsupported MAIL_URL scheme in {url.split(':', 1)[0]!r}")


def _send_smtp(url: str, email: EmailMessage) -> None:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    secure = parts.scheme == "smtps"
    client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    port = parts.port or (465 if secure else 25)
    try:
        with client_class(parts.hostname or "localhost", port, timeout=10) as client:
            if options.get("starttls", ["0"])[0] in ("1", "true"):
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
