#!/usr/bin/env python3
"""Operator torture: the release daemon against the mistakes and accidents of a real host.

Each scenario writes real files, runs the real `tracetail` binary, and asks the real HTTP API
what it holds; it prints what was written and what came back, then PASS or FAIL. The last line
is the summary: `N passed, M failed`. Run through scripts/torture.sh (which builds the release
binary first); needs python3 and, for the full-disk scenario, root (a private tmpfs).
"""
import gzip
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BINARY = os.environ.get("TRACETAIL", os.path.join(os.path.dirname(__file__), "..", ".build", "release", "tracetail"))
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
BASE_MS = 1_782_986_400_000  # 2026-07-02T10:00:00Z
results = []


def line(n, trace=TRACE, time_ms=None, pad=80, noise=False):
    t = BASE_MS + n if time_ms is None else time_ms
    filler = os.urandom(pad // 2).hex() if noise else "x" * pad
    return json.dumps({"level": 30, "time": t, "trace_id": trace, "msg": "record %d %s" % (n, filler)}) + "\n"


def write(path, text, mode="a"):
    with open(path, mode) as f:
        f.write(text)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon:
    def __init__(self, root, logs, db, extra=(), env=None):
        self.port = free_port()
        self.log_path = os.path.join(root, "daemon-%d.log" % self.port)
        self.log = open(self.log_path, "w")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACETAIL_")}
        environment.update(env or {})
        self.process = subprocess.Popen(
            [BINARY, "serve", "--logs", logs, "--db", db, "--listen", "127.0.0.1:%d" % self.port, *extra],
            stdout=subprocess.DEVNULL, stderr=self.log, env=environment, cwd=root)

    def get(self, path, timeout=30):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            body = e.read()
            try:
                return e.code, json.loads(body or b"{}")
            except ValueError:
                return e.code, {}

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if self.get("/readyz", timeout=5)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def count(self, trace=TRACE):
        total, cursor = 0, None
        while True:
            path = "/traces/%s/logs?limit=10000" % trace + ("&cursor=%s" % cursor if cursor else "")
            status, body = self.get(path)
            if status != 200:
                return total
            total += body["count"]
            cursor = body.get("next_cursor")
            if not cursor:
                return total

    def wait_count(self, expected, timeout=60, trace=TRACE):
        deadline = time.time() + timeout
        got = -1
        while time.time() < deadline:
            got = self.count(trace)
            if got >= expected:
                time.sleep(0.5)
                return self.count(trace)
            time.sleep(0.2)
        return got

    def rss_peak_kib(self):
        with open("/proc/%d/status" % self.process.pid) as f:
            for row in f:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1])
        return -1

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return open(self.log_path).read()


def run(args, root, timeout=60, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACETAIL_")}
    environment.update(env or {})
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, cwd=root, env=environment)


def scenario(name):
    def wrap(fn):
        def runner():
            root = tempfile.mkdtemp(prefix="tracetail-torture-")
            logs = os.path.join(root, "logs")
            os.makedirs(logs)
            started = time.time()
            try:
                ok, report = fn(root, logs, os.path.join(root, "db.sqlite"))
            except Exception as error:  # a scenario that breaks is a failure, with the reason
                ok, report = False, "error: %r" % error
            finally:
                shutil.rmtree(root, ignore_errors=True)
            results.append(ok)
            print("%-22s %s  (%.1f s)\n  %s" % (name, "PASS" if ok else "FAIL", time.time() - started, report.replace("\n", "\n  ")))
            sys.stdout.flush()
        runner.name = name
        return runner
    return wrap


@scenario("two-writers")
def two_writers(root, logs, db):
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(10_000)))
    first = Daemon(root, logs, db)
    assert first.wait_ready(), "the first daemon never became ready"
    second = run(["serve", "--logs", logs, "--db", db, "--listen", "127.0.0.1:0"], root, timeout=30)
    ingest = run(["ingest", "--logs", logs, "--db", db], root, timeout=30)
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(10_000, 20_000)))
    stored = first.wait_count(20_000)
    stats = run(["stats", "--db", db], root)
    first.stop()
    check = run(["stats", "--check", "--db", db], root)
    refused = second.returncode != 0 and "pid %d" % first.process.pid in second.stderr and ingest.returncode != 0
    ok = refused and stored == 20_000 and stats.returncode == 0 and check.returncode == 0
    return ok, "written 20000; second serve exit %d (%s); ingest exit %d; API returns %d; stats while running exit %d; check exit %d" % (
        second.returncode, second.stderr.strip()[:90], ingest.returncode, stored, stats.returncode, check.returncode)


@scenario("port-in-use")
def port_in_use(root, logs, db):
    write(os.path.join(logs, "a-out.log"), line(0))
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    started = time.time()
    second = run(["serve", "--logs", logs, "--db", db, "--listen", "127.0.0.1:%d" % port], root, timeout=60)
    blocker.close()
    expected = "cannot listen on 127.0.0.1:%d: address already in use" % port
    ok = second.returncode == 1 and expected in second.stderr and len(second.stderr.splitlines()) <= 2
    return ok, "exit %d after %.2f s, %d stderr lines: %s" % (second.returncode, time.time() - started, len(second.stderr.splitlines()), second.stderr.strip()[:120])


@scenario("directory-vanishes")
def directory_vanishes(root, logs, db):
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(5_000)))
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    os.rename(logs, logs + ".away")
    time.sleep(3)
    os.rename(logs + ".away", logs)
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(5_000, 5_100)))
    stored = daemon.wait_count(5_100)
    time.sleep(3)
    stored = daemon.count()
    daemon.stop()
    return stored == 5_100, "written 5100 (the directory gone for 3 s in between); API returns %d" % stored


@scenario("replaced-file")
def replaced_file(root, logs, db):
    path = os.path.join(logs, "a-out.log")
    original = "".join(line(n) for n in range(3_000))
    write(path, original)
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    write(path, line(99_999))
    daemon.wait_count(3_001)
    # git checkout: a new file with the original bytes renamed over the old one.
    write(path + ".tmp", original, mode="w")
    os.rename(path + ".tmp", path)
    time.sleep(3)
    write(path, line(100_000))
    stored = daemon.wait_count(3_002)
    time.sleep(2)
    stored = daemon.count()
    daemon.stop()
    return stored == 3_002, "written 3000, appended 1, restored (git checkout), appended 1; API returns %d (3002 expected)" % stored


@scenario("truncated-gz-copy")
def truncated_gz(root, logs, db):
    other = "11111111111111111111111111111111"
    data = gzip.compress("".join(line(n, trace=other) for n in range(2_000)).encode())
    with open(os.path.join(logs, "a-out__2026-07-01_00-00-00.log.gz"), "wb") as f:
        f.write(data[: len(data) // 2])
    write(os.path.join(logs, "b-out.log"), "".join(line(n) for n in range(2_000, 2_100)))
    daemon = Daemon(root, logs, db)
    ready = daemon.wait_ready(60)
    stored = daemon.wait_count(100, timeout=20)
    readable = daemon.count(other)
    log = daemon.stop()
    named = "a-out__2026-07-01_00-00-00.log.gz" in log
    ok = ready and named and stored == 100 and 0 < readable < 2_000
    return ok, "a .gz copy of 2000 records cut in half, beside 100 good records: ready %s, the good file's records %d of 100, the copy's readable part %d (stored as far as it inflates), the log names the copy: %s" % (
        ready, stored, readable, named)


def blocks_tables(db):
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'blocks_%'")]
    return con, tables


@scenario("corrupt-open-block")
def corrupt_open_block(root, logs, db):
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(200)))
    write(os.path.join(logs, "b-out.log"), "".join(line(n) for n in range(200, 400)))
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    daemon.stop()
    con, tables = blocks_tables(db)
    partition, block = con.execute("SELECT partition, block FROM open_blocks ORDER BY file_id LIMIT 1").fetchone()
    con.execute("UPDATE blocks_%d SET data = zeroblob(length(data)) WHERE id = ?" % partition, (block,))
    con.commit()
    con.close()
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(400, 500)))
    write(os.path.join(logs, "b-out.log"), "".join(line(n) for n in range(500, 600)))
    stored = daemon.wait_count(400, timeout=30)
    status, body = daemon.get("/traces/%s/logs?limit=10" % TRACE)
    log = daemon.stop()
    check = run(["stats", "--check", "--db", db], root)
    # The zeroed block's 200 records are gone; everything else, the 200 new ones included, is there.
    ok = stored == 400 and status == 200 and body.get("partial") is True and check.returncode != 0
    return ok, "600 written, file a's open block (its 200 records) zeroed while stopped, then 100 more to each file: API returns %d of the 400 readable, status %d, partial=%s; stats --check exit %d: %s" % (
        stored, status, body.get("partial"), check.returncode, (check.stdout.strip().splitlines() or ["-"])[-1][:100])


@scenario("corrupt-sealed-block")
def corrupt_sealed_block(root, logs, db):
    write(os.path.join(logs, "a-out.log"), "".join(line(n, pad=400) for n in range(2_000)))
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    daemon.stop()
    con, tables = blocks_tables(db)
    table = tables[0]
    block = con.execute("SELECT id FROM %s WHERE id NOT IN (SELECT block FROM open_blocks) ORDER BY id LIMIT 1" % table).fetchone()[0]
    con.execute("UPDATE %s SET data = zeroblob(length(data)) WHERE id = ?" % table, (block,))
    con.commit()
    con.close()
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    logs_status, logs_body = daemon.get("/traces/%s/logs?limit=10000" % TRACE)
    trace_status, trace_body = daemon.get("/traces/%s" % TRACE)
    list_status, list_body = daemon.get("/traces")
    daemon.stop()
    ok = logs_status == 200 and trace_status == 200 and list_status == 200 and logs_body.get("partial") is True
    return ok, "2000 written, one sealed block zeroed: logs %d (%s records, partial=%s, unreadable_blocks=%s), summary %d, list %d" % (
        logs_status, logs_body.get("count"), logs_body.get("partial"), logs_body.get("unreadable_blocks"), trace_status, list_status)


@scenario("full-disk")
def full_disk(root, logs, db):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False, "needs root and unshare (a private tmpfs stands in for a full disk)"
    # The whole scenario runs again inside a private mount namespace with a 4 MB tmpfs for the store.
    script = os.path.abspath(__file__)
    child = subprocess.run(
        ["unshare", "--mount", sys.executable, script, "--full-disk-inside", root],
        capture_output=True, text=True, timeout=600, env={**os.environ, "TRACETAIL": os.path.abspath(BINARY)})
    lines = child.stdout.strip().splitlines()
    return child.returncode == 0, "\n".join(lines[-4:]) or child.stderr[-400:]


def full_disk_inside(root):
    logs = os.path.join(root, "logs")
    store = os.path.join(root, "store")
    os.makedirs(store, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tracetail-full", store], check=True)
    db = os.path.join(store, "db.sqlite")
    total = 60_000
    # Random text, so that compression cannot make it fit.
    write(os.path.join(logs, "a-out.log"), "".join(line(n, pad=200, noise=True) for n in range(2_000)))
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready(), "not ready at start"
    write(os.path.join(logs, "a-out.log"), "".join(line(n, pad=200, noise=True) for n in range(2_000, total)))
    reason, lag, deadline = None, 0, time.time() + 120
    while time.time() < deadline:
        status, body = daemon.get("/readyz")
        if status == 503 and "disk full" in body.get("reason", ""):
            reason, lag = body["reason"], body.get("backlog_bytes", 0)
            break
        time.sleep(0.2)
    time.sleep(5)
    peak = daemon.rss_peak_kib()
    cpu_before = sum(os.times()[:2])
    stat_before = open("/proc/%d/stat" % daemon.process.pid).read().split()
    time.sleep(5)
    stat_after = open("/proc/%d/stat" % daemon.process.pid).read().split()
    busy = (int(stat_after[13]) + int(stat_after[14]) - int(stat_before[13]) - int(stat_before[14])) / os.sysconf("SC_CLK_TCK") / 5
    subprocess.run(["mount", "-o", "remount,size=512m", store], check=True)
    stored = daemon.wait_count(total, timeout=180)
    log = daemon.stop()
    logged = log.count("cannot store records")
    ok = reason is not None and lag > 0 and stored == total and logged == 1 and busy < 0.2 and peak < 150_000
    print("%d written to a 4 MB store: readyz said '%s' with %d bytes of lag; peak RSS %d KiB; %.0f %% of a core while full; logged %d time(s)" % (
        total, reason, lag, peak, busy * 100, logged))
    print("space returned: API returns %d (%d expected)" % (stored, total))
    sys.exit(0 if ok else 1)


@scenario("idle-connections")
def idle_connections(root, logs, db):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    write(os.path.join(logs, "a-out.log"), "".join(line(n) for n in range(1_000)))
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    sockets, refused = [], 0
    for _ in range(3_000):
        try:
            s = socket.create_connection(("127.0.0.1", daemon.port), timeout=5)
            sockets.append(s)
        except OSError:
            refused += 1
    half = socket.create_connection(("127.0.0.1", daemon.port))
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # a request head that never ends
    for n in range(1_000, 1_500):
        write(os.path.join(logs, "b-out-%d.log" % (n % 50)), line(n))
    for s in sockets:
        s.close()
    stored = daemon.wait_count(1_500, timeout=60)
    status, _ = daemon.get("/healthz")
    half.settimeout(60)
    try:
        closed = half.recv(1024) == b"" or True
    except OSError:
        closed = True
    half.close()
    log = daemon.stop()
    errno24 = "Too many open files" in log or "errno 24" in log
    ok = stored == 1_500 and status == 200 and not errno24 and closed
    return ok, "3000 idle connections (%d refused at connect) and a request head that never ends; 500 records in 50 new files meanwhile: API returns %d of 1500, healthz %d, EMFILE in log: %s" % (
        refused, stored, status, errno24)


@scenario("odd-clocks")
def odd_clocks(root, logs, db):
    records = [
        json.dumps({"level": 30, "time": 1000, "trace_id": TRACE, "msg": "epoch 1000 ms"}),
        json.dumps({"level": 30, "time": 253402300799999, "trace_id": TRACE, "msg": "last ms of 9999"}),
        json.dumps({"level": 30, "time": 1782986400, "trace_id": TRACE, "msg": "seconds"}),
    ]
    write(os.path.join(logs, "a-out.log"), "\n".join(records) + "\n")
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    status, body = daemon.get("/traces/%s/logs" % TRACE)
    daemon.stop()
    times = {line["msg"]: line["ts"] for line in body.get("lines", [])}
    ok = times.get("epoch 1000 ms") == "1970-01-01T00:00:01.000Z" and times.get("last ms of 9999") == "9999-12-31T23:59:59.999Z"
    return ok, "pino time 1000 -> %s; 253402300799999 -> %s; 1782986400 -> %s" % (
        times.get("epoch 1000 ms"), times.get("last ms of 9999"), times.get("seconds"))


@scenario("scattered-times")
def scattered_times(root, logs, db):
    day = 86_400_000
    write(os.path.join(logs, "a-out.log"), "".join(line(n, time_ms=BASE_MS - n * day) for n in range(20_000)))
    started = time.time()
    ingest = run(["ingest", "--logs", logs, "--db", db], root, timeout=600)
    seconds = time.time() - started
    stats = run(["stats", "--db", db], root)
    partitions = next((l.split()[-1] for l in stats.stdout.splitlines() if l.startswith("partitions:")), "?")
    size = os.path.getsize(db)
    raw = os.path.getsize(os.path.join(logs, "a-out.log"))
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    t = time.time()
    count = daemon.count()
    first_query = time.time() - t
    daemon.stop()
    ok = ingest.returncode == 0 and partitions not in ("?",) and int(partitions) <= 2 and size < raw and count == 20_000 and first_query < 5
    return ok, "20000 records one per day over 55 years: ingest %.1f s (%d records/s), %s partitions, store %d bytes for %d of text (%.2fx), first query %.2f s for %d records" % (
        seconds, 20_000 / max(seconds, 1e-3), partitions, size, raw, size / raw, first_query, count)


@scenario("retention-order")
def retention_order(root, logs, db):
    future = 4_102_444_800_000  # 2100-01-01
    other = "11111111111111111111111111111111"
    write(os.path.join(logs, "old-out.log"), "".join(line(n, trace=other, time_ms=future + n, pad=400, noise=True) for n in range(5_000)))
    run(["ingest", "--logs", logs, "--db", db], root)
    write(os.path.join(logs, "new-out.log"), "".join(line(n, pad=400, noise=True) for n in range(5_000)))
    run(["ingest", "--logs", logs, "--db", db], root)
    stats = run(["stats", "--db", db], root).stdout
    stored = int(next(l.split()[2] for l in stats.splitlines() if l.startswith("stored bytes:")))
    prune = run(["prune", "--db", db, "--logs", logs, "--max-age", "0", "--max-bytes", str(stored * 2 // 3)], root)
    daemon = Daemon(root, logs, db)
    assert daemon.wait_ready()
    future_left = daemon.count(other)
    today_left = daemon.count()
    daemon.stop()
    ok = today_left == 5_000 and future_left < 5_000
    return ok, "5000 records dated 2100 stored first, then 5000 dated today; cut to 2/3 of the %d stored bytes: 2100 left %d, today left %d; %s" % (
        stored, future_left, today_left, (prune.stdout.strip().splitlines() or [prune.stderr.strip()])[0][:100])


SCENARIOS = [two_writers, port_in_use, directory_vanishes, replaced_file, truncated_gz, corrupt_open_block,
             corrupt_sealed_block, full_disk, idle_connections, odd_clocks, scattered_times, retention_order]

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--full-disk-inside":
        full_disk_inside(sys.argv[2])
    chosen = set(sys.argv[1:])
    for run_scenario in SCENARIOS:
        if not chosen or run_scenario.name in chosen:
            run_scenario()
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)
