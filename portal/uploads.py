"""Uploaded files: the type is decided from the content, never the name; files are stored
under UPLOAD_DIR with a generated name; bad files are refused before anything is kept."""
import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 64 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 5000


class UploadRejected(Exception):
    """The message is shown to the person next to the file field."""


@dataclass(frozen=True)
class FileType:
    label: str
    mime: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", ("pdf",))
DOCX = FileType("Word document",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ("docx",))
XLSX = FileType("Excel spreadsheet",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
PPTX = FileType("PowerPoint presentation",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                ("pptx",))
OLE = FileType("Office document (97–2003)", "application/octet-stream", ("doc", "xls", "ppt"))
OLE_MIMES = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
             "ppt": "application/vnd.ms-powerpoint"}
PNG = FileType("PNG image", "image/png", ("png",))
JPEG = FileType("JPEG image", "image/jpeg", ("jpg", "jpeg"))
TEXT = FileType("Plain text", "text/plain", ("txt", "md"))
CSV = FileType("CSV spreadsheet", "text/csv", ("csv",))
ALLOWED_NAMES = "PDF, Word, Excel, PowerPoint, plain text, CSV, PNG or JPEG"

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",
                     b"\xfe\xed\xfa\xce")
_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|svg|script|body|iframe|\?xml)", re.I)


@dataclass
class CheckedFile:
    """A validated upload waiting in a temporary file inside UPLOAD_DIR."""

    temp_path: Path
    original_name: str
    file_type: FileType
    mime: str
    size: int
    sha256: str

    def discard(self) -> None:
        self.temp_path.unlink(missing_ok=True)


def clean_name(name: str) -> str:
    """The name as the person sees it, refused if it tries to be a path or hides characters."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise UploadRejected("The file has no name")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise UploadRejected("The file name contains control characters. Rename the file "
                             "and try again")
    if "/" in name or "\\" in name or name in (".", "..") or ".." in name.split("."):
        raise UploadRejected("The file name must not contain a folder path (like ../). "
                             "Rename the file and try again")
    if len(name) > 200:
        raise UploadRejected("The file name must be 200 characters or fewer")
    return name


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _sniff_zip(path: Path) -> FileType:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise UploadRejected("The document has too many parts to be safe to open")
            unzipped = sum(e.file_size for e in entries)
            packed = max(1, sum(e.compress_size for e in entries))
            if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_ZIP_RATIO:
                raise UploadRejected("The document expands to far more than its size, which "
                                     "is how a 'zip bomb' works. It cannot be uploaded")
            names = {e.filename for e in entries}
    except zipfile.BadZipFile as exc:
        raise UploadRejected("The file is damaged or is not a document we accept") from exc
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    raise UploadRejected(f"Only {ALLOWED_NAMES} files can be uploaded. Zip files cannot")


def _sniff_text(path: Path) -> FileType | None:
    data = path.read_bytes()[:1024 * 1024]
    if b"\x00" in data or _MARKUP.search(data[:4096]):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT


def sniff(path: Path, name: str) -> tuple[FileType, str]:
    """The file's type from its first bytes (and structure), and the MIME type to serve."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    ext = _extension(name)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UploadRejected("Programs and scripts cannot be uploaded")
    if head.startswith(b"%PDF-"):
        return PDF, PDF.mime
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, PNG.mime
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG, JPEG.mime
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE, OLE_MIMES.get(ext, OLE.mime)
    if head.startswith(b"PK\x03\x04"):
        kind = _sniff_zip(path)
        return kind, kind.mime
    text = _sniff_text(path)
    if text is None:
        if _MARKUP.search(path.read_bytes()[:4096]):
            raise UploadRejected("Web pages and SVG images cannot be uploaded")
        raise UploadRejected(f"Only {ALLOWED_NAMES} files can be uploaded")
    if ext == "csv":
        return CSV, CSV.mime
    return TEXT, TEXT.mime


def receive(stream, name: str, upload_dir: str, max_bytes: int) -> CheckedFile:
    """Copy an upload into a temporary file under UPLOAD_DIR, hashing as it goes, and check
    it. The caller keeps it (`store`) or throws it away (`discard`)."""
    original = clean_name(name)
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    temp_path = folder / f".incoming-{secrets.token_hex(16)}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(temp_path, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(f"The file must be smaller than "
                                         f"{max_bytes // (1024 * 1024)} MB")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRejected("The file is empty")
        file_type, mime = sniff(temp_path, original)
        if _extension(original) not in file_type.extensions:
            raise UploadRejected(f"The file's contents are a {file_type.label}, which does not "
                                 f"match its name. Rename it to end in "
                                 f".{file_type.extensions[0]}")
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    return CheckedFile(temp_path, original, file_type, mime, size, digest.hexdigest())


def store(checked: CheckedFile, upload_dir: str) -> str:
    """Move a checked file to its permanent, generated name; returns that name."""
    stored_name = secrets.token_hex(20)
    target = stored_path(upload_dir, stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(checked.temp_path, target)
    return stored_name


def stored_path(upload_dir: str, stored_name: str) -> Path:
    """Where a stored file lives. Only generated hex names are ever accepted."""
    if not re.fullmatch(r"[0-9a-f]{40}", stored_name or ""):
        raise ValueError("not a stored file name")
    root = Path(upload_dir).resolve()
    path = (root / stored_name[:2] / stored_name).resolve()
    if root not in path.parents:
        raise ValueError("outside the upload folder")
    return path


def remove(upload_dir: str, stored_name: str) -> None:
    stored_path(upload_dir, stored_name).unlink(missing_ok=True)
