"""Delivery of outbox messages through MAIL_URL: `console:` (log only) or `smtp://...`."""
import contextlib
import re
import smtplib
import ssl
from email import charset, encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from flask import current_app


class MailError(Exception):
    """Delivery failed in a way worth retrying."""


class MessageRefused(MailError):
    """The server refused this one message; the connection is still good for others."""


_LINK = re.compile(r"https?://[^\s<>\"']+")
_LONG_PART = re.compile(r"[^/]{16,}")  # signed tokens and feed secrets are all this long


def redact_links(text: str) -> str:
    """Links with their secret parts (long path segments, query, fragment) blanked, so a log
    of the email cannot be used to reset a password or confirm an account."""
    def redact(match):
        parts = urlsplit(match.group(0))
        return urlunsplit((parts.scheme, parts.netloc, _LONG_PART.sub("[redacted]", parts.path),
                           "[redacted]" if parts.query else "", ""))

    return _LINK.sub(redact, text)


def message_id_domain() -> str:
    """The host people reach the portal on, so Message-IDs are unique to this deployment."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


# Bodies go as UTF-8, unencoded (8bit) when every line is within SMTP's limit, else as
# quoted-printable.
_EIGHT_BIT = charset.Charset("utf-8")
_EIGHT_BIT.body_encoding = None
_QUOTED = charset.Charset("utf-8")
_QUOTED.body_encoding = charset.QP
SMTP_LINE_LIMIT = 998


def _header(value: str):
    return value if value.isascii() else Header(value, "utf-8")


def _body(text: str) -> MIMEText:
    fits = all(len(line.encode()) <= SMTP_LINE_LIMIT for line in text.splitlines())
    return MIMEText(text, "plain", _EIGHT_BIT if fits else _QUOTED)


def build_message(message) -> Message:
    """The email for an outbox row. Built with the email package's classic classes: its
    newer EmailMessage parses and refolds every header and took a few milliseconds a
    message, the most of a newsletter's sending time."""
    config = current_app.config
    body = _body(message.body_text)
    if message.attachment_name:
        email = MIMEMultipart()
        email.attach(body)
        maintype, _, subtype = message.attachment_type.partition("/")
        attachment = MIMEBase(maintype, subtype)
        attachment.set_payload(message.attachment_body.encode())
        encoders.encode_base64(attachment)
        attachment.add_header("Content-Disposition", "attachment",
                              filename=message.attachment_name)
        email.attach(attachment)
    else:
        email = body
    name, address = parseaddr(config["MAIL_FROM"])
    email["From"] = formataddr((name, address), charset="utf-8")
    email["To"] = message.to_addr
    email["Subject"] = _header(message.subject)
    # The same outbox row always carries the same Message-ID, so a receiver can tell a
    # resend (after a sender died between SMTP and its commit) from a new message.
    # (make_msgid adds the time and a random part, so it is built here instead.)
    stamp = f"{message.created_at:%Y%m%d%H%M%S}" if message.created_at else "0"
    email["Message-ID"] = f"<outbox-{message.id}.{stamp}@{message_id_domain()}>"
    email["X-Tandem-Key"] = message.key
    for header, value in message.header_dict.items():
        email[header] = _header(value)
    return email


def send(message) -> None:
    with connection() as mail:
        mail.send(message)


class _Console:
    def send(self, message) -> None:
        # The links in an email are keys (reset, confirmation, calendar feed): INFO logs
        # travel to shared log stores, so they get the body with its links blanked.
        build_message(message)  # a message that cannot be built fails here as it would by SMTP
        current_app.logger.info("email to %s: %s\n%s", message.to_addr, message.subject,
                                redact_links(message.body_text))
        current_app.logger.debug("email to %s, in full:\n%s", message.to_addr,
                                 message.body_text)


class _Smtp:
    def __init__(self, client):
        self.client = client

    def send(self, message) -> None:
        email = build_message(message)
        try:
            self.client.send_message(email)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError) as exc:
            raise MessageRefused(f"{type(exc).__name__}: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc


@contextlib.contextmanager
def connection():
    """One connection to MAIL_URL for any number of messages: `.send(message)` each."""
    url = current_app.config["MAIL_URL"]
    if url.startswith("console:"):
        yield _Console()
        return
    if not url.startswith(("smtp://", "smtps://")):
        raise MailError(f"unsupported MAIL_URL scheme in {url.split(':', 1)[0]!r}")
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    secure = parts.scheme == "smtps"
    client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    port = parts.port or (465 if secure else 25)
    try:
        client = client_class(parts.hostname or "localhost", port, timeout=10)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
    try:
        try:
            if options.get("starttls", ["0"])[0] in ("1", "true"):
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc
        yield _Smtp(client)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
        client.close()
