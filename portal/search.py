"""Full-text search for every area: SQLite FTS5 on SQLite, tsvector on PostgreSQL.

Each searchable thing (an article, a resource, a post) has one SearchDocument row, keyed by
kind and object id. An engine-specific index beside it does the matching: the `search_fts`
virtual table on SQLite, the `search_vector` table with a GIN index on PostgreSQL. Areas
call `index`/`unindex` when they save, and join `matches(kind, text)` to their own
audience-filtered query, so nobody finds what they may not see.
"""
import re

from markupsafe import Markup, escape
from peewee import SQL, CharField, IntegerField, SqliteDatabase, Table, TextField, fn

from portal.db import BaseModel, db, is_sqlite

START, STOP = "\x02", "\x03"  # snippet markers, turned into <mark> after escaping
MAX_TERMS = 12


class SearchDocument(BaseModel):
    kind = CharField(max_length=20)
    object_id = IntegerField()
    title = TextField()
    summary = TextField(default="")
    body = TextField(default="")

    class Meta:
        indexes = ((("kind", "object_id"), True),)


SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')",
]
POSTGRES_DDL = [
    "CREATE TABLE IF NOT EXISTS search_vector ("
    " id INTEGER PRIMARY KEY REFERENCES search_document (id) ON DELETE CASCADE,"
    " tsv TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_vector_tsv ON search_vector USING GIN (tsv)",
]
AUXILIARY_TABLES = {"sqlite": ["search_fts"], "postgres": ["search_vector"]}


def create_index_tables(database) -> None:
    """The engine-specific index tables. Migrations and the test set-up call this."""
    database = getattr(database, "obj", database)  # the proxy's database
    for statement in SQLITE_DDL if isinstance(database, SqliteDatabase) else POSTGRES_DDL:
        database.execute_sql(statement)


def terms(text: str) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())[:MAX_TERMS]


def index(kind: str, object_id: int, title: str, summary: str, body: str) -> None:
    """Add or replace a document. Call inside the transaction that saves the object."""
    values = {"title": title or "", "summary": summary or "", "body": body or ""}
    doc_id = (SearchDocument.insert(kind=kind, object_id=object_id, **values)
              .on_conflict(conflict_target=[SearchDocument.kind, SearchDocument.object_id],
                           update=values)
              .execute())
    if not doc_id:  # SQLite reports no id for an upsert that updated
        doc_id = SearchDocument.get(SearchDocument.kind == kind,
                                    SearchDocument.object_id == object_id).id
    if is_sqlite():
        db.execute_sql("DELETE FROM search_fts WHERE rowid = ?", (doc_id,))
        db.execute_sql("INSERT INTO search_fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                       (doc_id, values["title"], values["summary"], values["body"]))
    else:
        db.execute_sql(
            "INSERT INTO search_vector (id, tsv) VALUES (%s,"
            " setweight(to_tsvector('english', %s), 'A') ||"
            " setweight(to_tsvector('english', %s), 'B') ||"
            " setweight(to_tsvector('english', %s), 'C'))"
            " ON CONFLICT (id) DO UPDATE SET tsv = EXCLUDED.tsv",
            (doc_id, values["title"], values["summary"], values["body"]))


def rebuild() -> int:
    """Rebuild the engine's index from the documents (after a bulk import or a restore)."""
    if is_sqlite():
        db.execute_sql("DELETE FROM search_fts")
        db.execute_sql("INSERT INTO search_fts (rowid, title, summary, body) "
                       "SELECT id, title, summary, body FROM search_document")
    else:
        db.execute_sql("DELETE FROM search_vector")
        db.execute_sql(
            "INSERT INTO search_vector (id, tsv) SELECT id,"
            " setweight(to_tsvector('english', title), 'A') ||"
            " setweight(to_tsvector('english', summary), 'B') ||"
            " setweight(to_tsvector('english', body), 'C') FROM search_document")
    return SearchDocument.select().count()


def unindex(kind: str, object_id: int) -> None:
    doc = SearchDocument.get_or_none(SearchDocument.kind == kind,
                                     SearchDocument.object_id == object_id)
    if doc is None:
        return
    if is_sqlite():
        db.execute_sql("DELETE FROM search_fts WHERE rowid = ?", (doc.id,))
    doc.delete_instance()  # search_vector rows go with it (ON DELETE CASCADE)


def matches(kind: str, text: str):
    """A subquery of (object_id, rank, snippet) for `kind` documents matching every word
    of `text` (the last one as a prefix, for search-as-you-type); lower rank is better.
    None when the text has no words."""
    words = terms(text)
    if not words:
        return None
    if is_sqlite():
        return _sqlite_matches(kind, words)
    return _postgres_matches(kind, words)


def _sqlite_matches(kind: str, words: list[str]):
    fts = Table("search_fts", ("rowid", "title", "summary", "body")).alias("search_fts")
    expression = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
    return (SearchDocument
            .select(SearchDocument.object_id,
                    fn.bm25(SQL("search_fts"), 10.0, 4.0, 1.0).alias("rank"),
                    fn.snippet(SQL("search_fts"), -1, START, STOP, "…", 20).alias("snippet"))
            .join(fts, on=(fts.rowid == SearchDocument.id))
            .where(SQL("search_fts MATCH ?", (expression,)), SearchDocument.kind == kind))


def _postgres_matches(kind: str, words: list[str]):
    expression = " & ".join(words[:-1] + [f"{words[-1]}:*"])
    vector = Table("search_vector", ("id", "tsv")).alias("search_vector")
    query = SQL("to_tsquery('english', %s)", (expression,))
    headline_options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12"
    return (SearchDocument
            .select(SearchDocument.object_id,
                    (fn.ts_rank_cd(vector.tsv, query, 32) * -1).alias("rank"),
                    fn.ts_headline("english",
                                   SearchDocument.summary.concat(" ").concat(
                                       SearchDocument.body),
                                   query, headline_options).alias("snippet"))
            .join(vector, on=(vector.id == SearchDocument.id))
            .where(SQL("search_vector.tsv @@ to_tsquery('english', %s)", (expression,)),
                   SearchDocument.kind == kind))


def highlight(snippet: str | None) -> Markup:
    """Escape a snippet, then mark the matched words."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(START, "<mark>").replace(STOP, "</mark>"))
