"""`make bench`: how fast Tandem's pages are next to a bare Flask hello-world.

Serves the portal (migrated and seeded SQLite database in a temporary directory) and
bench/hello.py with the same gunicorn settings on 127.0.0.1, loads each page with wrk, and
prints requests/s, p50 and p99 latency, the ratio to hello-world's requests/s, and how many
SQL statements one rendering of the page issues (counted through the Flask test client with
peewee's query log). Log-ins are real POSTs to /accounts/login with the form's CSRF token.

    .venv/bin/python bench/bench.py [--duration 5] [--connections 20] [--only /dashboard]
    .venv/bin/python bench/bench.py --matching-only

It also times whole-cohort matching (the pure functions, no database) on a generated cohort
of 200 mentors with two places each and 400 mentees, in both modes and the greedy pass.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

from portal.blueprints.programmes import matching

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
HOST = "127.0.0.1"  # wrk and every request here go to loopback only
USER_AGENT = "tandem-bench"
DEMO_PASSWORD = "tandem-demo-2026"


@dataclass(frozen=True)
class Page:
    path: str
    user: str | None = None  # log in as this demo account first; None = anonymous


# The pages to measure. Areas add their pages here: one line each.
PAGES = [
    Page("/"),
    Page("/accounts/login"),
    Page("/accounts/profile", user="mentor@tandem.example"),
    Page("/dashboard", user="staff@tandem.example"),
    Page("/staff/people", user="staff@tandem.example"),
    Page("/hub/", user="mentor@tandem.example"),
    Page("/hub/search?q=phased+return", user="mentor@tandem.example"),
    Page("/hub/articles/easing-back-with-a-phased-return", user="mentor@tandem.example"),
    Page("/hub/topics/returning-to-work", user="mentor@tandem.example"),
    Page("/library/", user="mentor@tandem.example"),
    Page("/library/?q=checklist", user="mentor@tandem.example"),
    Page("/boards/", user="mentor@tandem.example"),
    Page("/boards/mentor-network", user="mentor@tandem.example"),
    Page("/boards/threads/1", user="mentor@tandem.example"),
    Page("/boards/search?q=rota", user="mentor@tandem.example"),
    Page("/webinars/", user="mentor@tandem.example"),
    Page("/webinars/sessions/1", user="mentor@tandem.example"),
    Page("/webinars/mine", user="mentor@tandem.example"),
    Page("/webinars/manage", user="staff@tandem.example"),
    Page("/webinars/manage/sessions/1/people", user="staff@tandem.example"),
]


class _CsrfFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token" and self.token is None:
            self.token = attrs.get("value")


def csrf_token(html: str) -> str:
    finder = _CsrfFinder()
    finder.feed(html)
    if not finder.token:
        raise SystemExit("bench: no csrf_token field in the log-in form")
    return finder.token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def bench_env(tmp: Path) -> dict:
    return {
        **os.environ,
        "INSTANCE_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'tandem.db'}",
        "HUEY_URL": f"sqlite:///{tmp / 'huey.db'}",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "MAIL_URL": "console:",
        "COOKIE_SECURE": "0",
        "TANDEM_ENV": "development",  # a local server on the local defaults
    }


def prepare_database(env: dict) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


# --- SQL statements per page, through the test client -------------------------------------

def count_queries_per_page(env: dict, pages: list[Page]) -> dict[Page, int]:
    os.environ.update(env)  # before the portal reads its configuration
    sys.path.insert(0, str(ROOT))
    from playhouse.test_utils import count_queries

    from portal import create_app

    app = create_app()
    clients = {}
    counts = {}
    for page in pages:
        if page.user not in clients:
            clients[page.user] = app.test_client()
            if page.user:
                login_test_client(clients[page.user], page.user)
        client = clients[page.user]
        client.get(page.path, headers={"User-Agent": USER_AGENT})  # warm caches first
        with count_queries() as counter:
            response = client.get(page.path, headers={"User-Agent": USER_AGENT})
        if response.status_code != 200:
            raise SystemExit(f"bench: {page.path} answered {response.status_code} "
                             f"to the test client (user {page.user})")
        counts[page] = counter.count
    return counts


def login_test_client(client, email: str) -> None:
    form = client.get("/accounts/login", headers={"User-Agent": USER_AGENT})
    response = client.post("/accounts/login", headers={"User-Agent": USER_AGENT}, data={
        "email": email, "password": DEMO_PASSWORD,
        "csrf_token": csrf_token(form.get_data(as_text=True))})
    if response.status_code != 303:
        raise SystemExit(f"bench: test-client log-in as {email} answered "
                         f"{response.status_code}")


# --- servers -------------------------------------------------------------------------------

def start_gunicorn(app: str, port: int, env: dict, workers: int, log: Path,
                   pythonpath: Path | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--bind", f"{HOST}:{port}", "--log-level", "warning",
               "--no-control-socket"]  # the default socket path is shared by every gunicorn
    if pythonpath:
        command += ["--pythonpath", str(pythonpath)]
    return subprocess.Popen(command + [app], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_up(port: int, path: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited:\n{log.read_text()}")
        try:
            status, _, _ = http_get(port, path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench: nothing answered on {HOST}:{port}{path}:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- HTTP on loopback ----------------------------------------------------------------------

def http_get(port: int, path: str, cookie: str = "") -> tuple[int, list, str]:
    connection = HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"User-Agent": USER_AGENT}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


def cookies_from(headers: list, jar: dict) -> dict:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar: dict) -> str:
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def login_over_http(port: int, email: str) -> str:
    """Log in the way a browser does; return the Cookie header that carries the session."""
    status, headers, html = http_get(port, "/accounts/login")
    jar = cookies_from(headers, {})
    body = urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(html)})
    connection = HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("POST", "/accounts/login", body=body, headers={
            "User-Agent": USER_AGENT, "Cookie": cookie_header(jar),
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        if response.status != 303:
            raise SystemExit(f"bench: log-in as {email} answered {response.status}")
        return cookie_header(cookies_from(response.getheaders(), jar))
    finally:
        connection.close()


# --- wrk -----------------------------------------------------------------------------------

def run_wrk(port: int, path: str, cookie: str, args) -> dict:
    url = f"http://{HOST}:{port}{path}"
    assert url.startswith(f"http://{HOST}:")
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "-s", str(BENCH_DIR / "report.lua"), "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if not match:
        raise SystemExit(f"bench: no report from wrk:\n{output}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def print_table(rows: list[dict], hello: dict, args) -> None:
    print()
    print(f"gunicorn -w {args.workers}; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration}s on {HOST}; SQLite database")
    header = ("page", "user", "req/s", "p50 ms", "p99 ms", "x hello", "SQL", "errors")
    table = [("hello-world", "-", f"{hello['rps']:.0f}", f"{hello['p50_us'] / 1000:.1f}",
              f"{hello['p99_us'] / 1000:.1f}", "1.00", "-", _errors(hello))]
    for row in rows:
        table.append((row["path"], (row["user"] or "-").split("@")[0], f"{row['rps']:.0f}",
                      f"{row['p50_us'] / 1000:.1f}", f"{row['p99_us'] / 1000:.1f}",
                      f"{row['rps'] / hello['rps']:.2f}", str(row["queries"]), _errors(row)))
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    for i, line in enumerate([header, *table]):
        print("  ".join(cell.ljust(w) if c < 2 else cell.rjust(w)
                        for c, (cell, w) in enumerate(zip(line, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("\nSQL = statements one rendering issues (test client, peewee query log);"
          " errors = non-2xx/3xx + socket errors")


def _errors(result: dict) -> str:
    return str(result["status_errors"] + result["socket_errors"])


def generated_cohort(mentors=200, mentees=400, capacity=2, seed=13):
    """A cohort like a large Return to Work round: a few trusts and teams, some line
    managers among the mentors, themes, goals, availability, channels and leave types."""
    rng = random.Random(seed)
    themes = ["Resilience", "Returning to work", "Career development", "Work-life balance",
              "Managing change", "Rebuilding networks", "Identity after a life change"]
    words = ["budgets", "rotas", "coaching", "leadership", "finance", "research", "teaching",
             "audit", "governance", "wellbeing", "projects", "recruitment"]
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "mornings", "evenings"]
    bands = ["Band 5", "Band 6", "Band 7", "Band 8a", "Band 8b", "Band 8c"]

    def person(user_id, role):
        return matching.Person(
            user_id=user_id, name=f"{role} {user_id}", email=f"p{user_id}@example.org",
            organisation=f"Trust {rng.randrange(8)}", team=f"Team {rng.randrange(5)}",
            manager_email=f"p{rng.randrange(mentors)}@example.org" if rng.random() < 0.2
            else "", staff_group=rng.choice(["Nursing", "AHP", "Admin", "Medical"]),
            band=rng.choice(bands[2:] if role == "mentor" else bands[:4]),
            specialisms=tuple(rng.sample(words, 3)), experience=" ".join(rng.sample(words, 4)),
            themes=frozenset(rng.sample(themes, rng.randint(1, 3))),
            learning_goals=" ".join(rng.sample(words, 3)),
            availability=" ".join(rng.sample(days, 3)),
            channel=rng.choice(["video", "telephone", "in_person"]),
            leave_type=rng.choice(["maternity", "paternity", "adoption", "carers"]),
            had_leave=role == "mentor", capacity=capacity)

    return ([person(i, "mentor") for i in range(mentors)],
            [person(mentors + i, "mentee") for i in range(mentees)])


def bench_matching() -> None:
    mentors, mentees = generated_cohort()
    weights = dict(matching.DEFAULT_WEIGHTS)
    for label, run in (("best total", lambda: matching.assign(mentors, mentees, weights)),
                       ("most matched", lambda: matching.assign(
                           mentors, mentees, weights, matching.MOST_MATCHED)),
                       ("greedy", lambda: matching.greedy(mentors, mentees, weights))):
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        print(f"matching 200 mentors x 2 places, 400 mentees, {label}: {seconds:.2f} s "
              f"({result.matched} matched, total score {result.total_score})", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_SECONDS", 5)))
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", action="append", help="measure only this path (repeatable)")
    parser.add_argument("--matching-only", action="store_true",
                        help="time whole-cohort matching only (no servers)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    bench_matching()
    if args.matching_only:
        return
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    pages = [p for p in PAGES if not args.only or p.path in args.only]
    tmp = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    servers = []
    try:
        env = bench_env(tmp)
        print(f"bench: migrating and seeding {env['DATABASE_URL']}", flush=True)
        prepare_database(env)
        queries = count_queries_per_page(env, pages)

        portal_port, hello_port = free_port(), free_port()
        portal_log, hello_log = tmp / "portal.log", tmp / "hello.log"
        servers.append(start_gunicorn("wsgi:app", portal_port, env, args.workers, portal_log))
        servers.append(start_gunicorn("hello:app", hello_port, env, args.workers, hello_log,
                                      pythonpath=BENCH_DIR))
        wait_until_up(portal_port, "/healthz", servers[0], portal_log)
        wait_until_up(hello_port, "/", servers[1], hello_log)

        cookies = {None: ""}
        for user in dict.fromkeys(p.user for p in pages if p.user):
            cookies[user] = login_over_http(portal_port, user)

        print(f"bench: hello-world on {HOST}:{hello_port}", flush=True)
        hello = run_wrk(hello_port, "/", "", args)
        rows = []
        for page in pages:
            status, _, _ = http_get(portal_port, page.path, cookies[page.user])
            if status != 200:
                raise SystemExit(f"bench: {page.path} answered {status} (user {page.user})")
            print(f"bench: {page.path} as {page.user or 'anonymous'}", flush=True)
            result = run_wrk(portal_port, page.path, cookies[page.user], args)
            rows.append({**result, "path": page.path, "user": page.user,
                         "queries": queries[page]})
        print_table(rows, hello, args)
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
