"""`make bench`: how fast Tandem's pages are next to a bare Flask hello-world.

Serves the portal (migrated and seeded SQLite database in a temporary directory, plus a
thread of 200 posts) and bench/hello.py with the same gunicorn settings on 127.0.0.1, loads
each page with wrk, and prints requests/s, p50 and p99 latency, the ratio to hello-world's
requests/s, how many SQL statements one rendering of the page issues (counted through the
Flask test client with peewee's query log), and the CPU the gunicorn workers spent per
request (from /proc: wall-clock numbers are noisy on a shared machine). Hello-world is
measured before and after each page, and each page is compared with the mean of those two,
as the load from the rest of the machine drifts during a run. Log-ins are real POSTs to
/accounts/login with the form's CSRF token.

Then the key pages on a copy of the database filled by `flask seed-scale` (5,000 people,
10,000 articles, 100,000 posts), each in rounds of the page on the demo database and at
scale, back to back (every other round at scale first), so that both runs of a round
share the machine's load of that minute; how much slower a page is at scale is the median
over the rounds of its CPU per request at scale over that on the demo database. Last, a
summary of the targets: every key page at least 0.30x hello-world, p99 at most 50 ms, and
no key page more than 1.2x slower at scale.

    .venv/bin/python bench/bench.py [--duration 5] [--connections 32] [--only /dashboard]
    .venv/bin/python bench/bench.py --rounds 4       # rounds at scale (the default)
    .venv/bin/python bench/bench.py --no-scale       # skip the database at scale
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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

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
    key: bool = False  # a page with targets: measured at scale too, and in the summary


LONG_THREAD = "{long_thread}"  # the 200-post thread's address, known once it is seeded
# The pages to measure. Areas add their pages here: one line each.
PAGES = [
    Page("/"),
    Page("/accounts/login"),
    Page("/accounts/profile", user="mentor@tandem.example"),
    Page("/dashboard", user="staff@tandem.example", key=True),
    Page("/staff/people", user="staff@tandem.example"),
    Page("/hub/", user="mentor@tandem.example", key=True),
    Page("/hub/search?q=phased+return", user="mentor@tandem.example", key=True),
    Page("/hub/articles/easing-back-with-a-phased-return", user="mentor@tandem.example",
         key=True),
    Page("/hub/topics/returning-to-work", user="mentor@tandem.example"),
    Page("/library/", user="mentor@tandem.example", key=True),
    Page("/library/?q=checklist", user="mentor@tandem.example"),
    Page("/boards/", user="mentor@tandem.example"),
    Page("/boards/mentor-network", user="mentor@tandem.example", key=True),
    Page("/boards/threads/1", user="mentor@tandem.example"),
    Page(LONG_THREAD, user="mentor@tandem.example", key=True),
    Page("/boards/search?q=rota", user="mentor@tandem.example"),
    Page("/webinars/", user="mentor@tandem.example", key=True),
    Page("/webinars/sessions/1", user="mentor@tandem.example"),
    Page("/webinars/mine", user="mentor@tandem.example"),
    Page("/webinars/manage", user="staff@tandem.example"),
    Page("/webinars/manage/sessions/1/people", user="staff@tandem.example"),
]
TARGET_RATIO, TARGET_P99_MS, TARGET_SCALE = 0.30, 50, 1.2


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


def flask_command(env: dict, *args) -> str:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True).stdout


def prepare_database(env: dict) -> str:
    """The demo data and a thread of 200 posts; returns that thread's address."""
    flask_command(env, "db", "upgrade")
    flask_command(env, "seed-demo")
    output = flask_command(env, "seed-scale", "--people", "0", "--articles", "0",
                           "--posts", "200")
    return re.search(r"long thread: (\S+)", output).group(1)


def prepare_scale_database(env: dict, scale_env: dict) -> float:
    """A copy of the demo database with `seed-scale` added; returns the seconds it took."""
    source = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    target = Path(scale_env["DATABASE_URL"].removeprefix("sqlite:///"))
    started = time.monotonic()
    sqlite3.connect(source).execute("VACUUM INTO ?", (str(target),)).connection.close()
    print("bench: " + flask_command(scale_env, "seed-scale").strip().replace("\n", "; "),
          flush=True)
    return time.monotonic() - started


# --- SQL statements per page, through the test client -------------------------------------

def count_queries_per_page(env: dict, pages: list[Page]) -> dict[Page, int]:
    os.environ.update(env)  # before the portal reads its configuration
    sys.path.insert(0, str(ROOT))
    from playhouse.test_utils import count_queries

    from portal import create_app

    app = create_app({"DATABASE_URL": env["DATABASE_URL"]})
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


def workers_of(master: int) -> list[int]:
    """The gunicorn master's worker processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU the processes have used, from /proc/<pid>/stat."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


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
    """Log in the way a browser does, and open the page it is sent to, keeping every cookie
    set on the way (the first page puts the form token into the session, as it would in a
    browser); return the Cookie header that carries the session."""
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
        cookies_from(response.getheaders(), jar)
        target = urlsplit(response.getheader("Location")).path
    finally:
        connection.close()
    _, headers, _ = http_get(port, target, cookie_header(jar))
    return cookie_header(cookies_from(headers, jar))


# --- wrk -----------------------------------------------------------------------------------

def run_wrk(port: int, path: str, cookie: str, args, server: subprocess.Popen) -> dict:
    """wrk's numbers, and the CPU the server's workers spent per request meanwhile. A
    second of load first is not counted: every worker compiles its templates and fills its
    own copies of what it keeps in memory on its first requests."""
    _wrk(port, path, cookie, args, args.warmup)
    workers = workers_of(server.pid)
    before = cpu_seconds(workers)
    result = _wrk(port, path, cookie, args)
    result["cpu_ms"] = (cpu_seconds(workers) - before) * 1000 / max(result["requests"], 1)
    return result


def _wrk(port: int, path: str, cookie: str, args, seconds: int | None = None) -> dict:
    url = f"http://{HOST}:{port}{path}"
    assert url.startswith(f"http://{HOST}:")
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}",
               f"-d{seconds or args.duration}s",
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


def print_columns(header: tuple, table: list[tuple]) -> None:
    """Rows under a header, in columns: the first two left-aligned, numbers right."""
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    for i, line in enumerate([header, *table]):
        print("  ".join(cell.ljust(w) if c < 2 else cell.rjust(w)
                        for c, (cell, w) in enumerate(zip(line, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def print_table(rows: list[dict], args, title: str) -> None:
    print()
    print(f"{title}: gunicorn -w {args.workers}; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration}s on {HOST}; SQLite database")
    header = ("page", "user", "req/s", "p50 ms", "p99 ms", "x hello", "SQL", "CPU ms/req",
              "hello req/s", "hello CPU", "errors")
    table = []
    for row in rows:
        hello = row["hello"]
        table.append((row["path"] + (" *" if row["key"] else ""),
                      (row["user"] or "-").split("@")[0], f"{row['rps']:.0f}",
                      f"{row['p50_us'] / 1000:.1f}", f"{row['p99_us'] / 1000:.1f}",
                      f"{row['rps'] / hello['rps']:.2f}", str(row["queries"]),
                      f"{row['cpu_ms']:.2f}", f"{hello['rps']:.0f}", f"{hello['cpu_ms']:.2f}",
                      _errors(row)))
    print_columns(header, table)
    print("\n* a key page (targets below). x hello = req/s over hello-world's, measured just"
          " before and after the page (hello req/s, hello CPU: their mean). SQL = statements"
          " one rendering issues (test client, peewee query log); CPU ms/req = the gunicorn"
          " workers' user + system time (/proc) over wrk's requests; errors = non-2xx/3xx +"
          " socket errors")


def mean_hello(first: dict, second: dict) -> dict:
    both = {key: (first[key] + second[key]) / 2
            for key in ("rps", "p50_us", "p99_us", "cpu_ms")}
    return {**both, "status_errors": first["status_errors"] + second["status_errors"],
            "socket_errors": first["socket_errors"] + second["socket_errors"]}



def print_summary(rows: list[dict], scale_rows: list[dict]) -> bool:
    """The targets, page by page; True when every one is met."""
    print("\ntargets for the key pages:")
    at_scale = {row["path"]: row for row in scale_rows}
    met = True
    for row in (r for r in rows if r["key"]):
        ratio, p99 = row["rps"] / row["hello"]["rps"], row["p99_us"] / 1000
        checks = [f"{ratio:.2f}x hello {'ok' if ratio >= TARGET_RATIO else 'MISSED'}",
                  f"p99 {p99:.1f} ms {'ok' if p99 <= TARGET_P99_MS else 'MISSED'}"]
        ok = ratio >= TARGET_RATIO and p99 <= TARGET_P99_MS
        if row["path"] in at_scale:
            slower = at_scale[row["path"]]["slower"]
            checks.append(f"at scale {slower:.2f}x the CPU "
                          f"{'ok' if slower <= TARGET_SCALE else 'MISSED'}")
            ok = ok and slower <= TARGET_SCALE
        met = met and ok
        print(f"  {row['path']:<48} " + "; ".join(checks))
    print(f"targets (>= {TARGET_RATIO}x hello-world, p99 <= {TARGET_P99_MS} ms, at scale <= "
          f"{TARGET_SCALE}x the CPU per request on the demo database): "
          f"{'all met' if met else 'NOT ALL MET'}")
    return met


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
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=1,
                        help="seconds of load before each measurement, not counted")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", action="append", help="measure only this path (repeatable)")
    parser.add_argument("--matching-only", action="store_true",
                        help="time whole-cohort matching only (no servers)")
    parser.add_argument("--no-scale", action="store_true",
                        help="skip the key pages on the database at scale")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds of each key page on the demo database and at scale")
    return parser.parse_args()


def measure_pages(port: int, server: subprocess.Popen, pages: list[Page], cookies: dict,
                  queries: dict, args, hello: tuple) -> list[dict]:
    """Each page between two runs of hello-world (`hello` is its port and server), so the
    ratio compares the page with hello-world under the same load from everything else on
    the machine, which drifts during a run."""
    rows = []
    hello_port, hello_server = hello
    before = run_wrk(hello_port, "/", "", args, hello_server)
    for page in pages:
        status, _, _ = http_get(port, page.path, cookies[page.user])
        if status != 200:
            raise SystemExit(f"bench: {page.path} answered {status} (user {page.user})")
        print(f"bench: {page.path} as {page.user or 'anonymous'}", flush=True)
        result = run_wrk(port, page.path, cookies[page.user], args, server)
        after = run_wrk(hello_port, "/", "", args, hello_server)
        rows.append({**result, "path": page.path, "user": page.user, "key": page.key,
                     "queries": queries[page], "hello": mean_hello(before, after)})
        before = after
    return rows


def measure_at_scale(demo: tuple, scale: tuple, pages: list[Page], queries: dict,
                     args) -> list[dict]:
    """Each key page in rounds: on the demo database and at scale, back to back (`demo`
    and `scale` are each a port, server and cookies). A page's verdict is the median over
    the rounds of its CPU at scale over its CPU on the demo database in the same round;
    its numbers at scale are those of the round just above the middle."""
    rows = []
    for page in pages:
        print(f"bench: {page.path} at scale, {args.rounds} rounds", flush=True)
        rounds = []
        for number in range(args.rounds):
            # Every other round measures at scale first, so that neither database is
            # always the one measured second.
            both = {}
            for name in (("demo", "scale") if number % 2 == 0 else ("scale", "demo")):
                port, server, cookies = demo if name == "demo" else scale
                both[name] = run_wrk(port, page.path, cookies[page.user], args, server)
            rounds.append({**both["scale"], "demo": both["demo"],
                           "slower": both["scale"]["cpu_ms"] / both["demo"]["cpu_ms"]})
        each = [r["slower"] for r in rounds]
        rounds.sort(key=lambda r: r["slower"])
        rows.append({**rounds[len(rounds) // 2], "path": page.path, "user": page.user,
                     "key": page.key, "queries": queries[page], "each": each,
                     "slower": statistics.median(each)})
    return rows


def print_scale_table(rows: list[dict], args) -> None:
    print()
    print(f"at scale (5,000 people, 10,000 articles, 100,000 posts): gunicorn -w {args.workers};"
          f" wrk -t{args.threads} -c{args.connections} -d{args.duration}s on {HOST}; SQLite "
          f"database; {args.rounds} rounds of the demo database and at scale, back to back")
    header = ("page", "user", "req/s", "p50 ms", "p99 ms", "SQL", "CPU ms/req",
              "demo CPU ms/req", "x demo CPU", "each round", "errors")
    table = [(row["path"], (row["user"] or "-").split("@")[0], f"{row['rps']:.0f}",
              f"{row['p50_us'] / 1000:.1f}", f"{row['p99_us'] / 1000:.1f}", str(row["queries"]),
              f"{row['cpu_ms']:.2f}", f"{row['demo']['cpu_ms']:.2f}", f"{row['slower']:.2f}",
              " ".join(f"{x:.2f}" for x in row["each"]), _errors(row)) for row in rows]
    print_columns(header, table)
    print("\nx demo CPU = the median over the rounds of CPU per request at scale over that on"
          " the demo database in the same round; each round = that ratio, round by round; the"
          " other numbers are the round's just above the middle")


def serve(app: str, env: dict, args, log: Path, ready: str, pythonpath: Path | None = None):
    port = free_port()
    server = start_gunicorn(app, port, env, args.workers, log, pythonpath)
    wait_until_up(port, ready, server, log)
    return port, server


def log_in_all(port: int, pages: list[Page]) -> dict:
    cookies = {None: ""}
    for user in dict.fromkeys(p.user for p in pages if p.user):
        cookies[user] = login_over_http(port, user)
    return cookies


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    bench_matching()
    if args.matching_only:
        return
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    servers = []
    try:
        env = bench_env(tmp)
        print(f"bench: migrating and seeding {env['DATABASE_URL']}", flush=True)
        long_thread = prepare_database(env)
        pages = [page for page in (Page(p.path.replace(LONG_THREAD, long_thread), p.user,
                                        p.key) for p in PAGES)
                 if not args.only or page.path in args.only]
        key_pages = [p for p in pages if p.key]
        queries = count_queries_per_page(env, pages)

        hello_port, hello_server = serve("hello:app", env, args, tmp / "hello.log", "/",
                                         pythonpath=BENCH_DIR)
        servers.append(hello_server)
        portal_port, portal_server = serve("wsgi:app", env, args, tmp / "portal.log", "/healthz")
        servers.append(portal_server)
        cookies = log_in_all(portal_port, pages)

        print(f"bench: hello-world on {HOST}:{hello_port}, before and after each page",
              flush=True)
        hello_runs = (hello_port, hello_server)
        rows = measure_pages(portal_port, portal_server, pages, cookies, queries, args,
                             hello_runs)

        scale_rows = []
        if not args.no_scale and key_pages:
            scale_env = {**env, "DATABASE_URL": f"sqlite:///{tmp / 'scale.db'}"}
            print("bench: filling a copy of the database at scale (seed-scale)", flush=True)
            seconds = prepare_scale_database(env, scale_env)
            print(f"bench: seed-scale took {seconds:.0f} s", flush=True)
            scale_queries = count_queries_per_page(scale_env, key_pages)
            scale_port, scale_server = serve("wsgi:app", scale_env, args,
                                             tmp / "portal-scale.log", "/healthz")
            servers.append(scale_server)
            scale_rows = measure_at_scale(
                (portal_port, portal_server, cookies),
                (scale_port, scale_server, log_in_all(scale_port, key_pages)),
                key_pages, scale_queries, args)

        load = os.getloadavg()
        print_table(rows, args, "demo database")
        if scale_rows:
            print_scale_table(scale_rows, args)
        print_summary(rows, scale_rows)
        print(f"\n{time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores; load average "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; make bench took "
              f"{time.monotonic() - started:.0f} s")
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
