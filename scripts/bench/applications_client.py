#!/usr/bin/env python3
"""Load client for scripts/bench/applications.sh (issue #6): the enterprises of TOKENS (the output
of `ipfin bench-applicants`: `policy,<id>`, then `<org_id>,<token>` a line) each create a subsidy
application (interest item, one loan from lender LENDER), upload 8 files of 200 KB–2 MB (`%PDF-1.7`
and random bytes) into its slots and submit it; CLIENTS threads (64) share the enterprises, each
on one keep-alive connection. Prints submissions/s (applications fully submitted per second of
wall time), MB/s uploaded (10^6 bytes), p50/p99 of each kind of request and the non-2xx answers.
Then reads every file back and compares its SHA-256 with what was sent, and checks the numbers
are exactly <district>-YYYY-EF-00001… one per enterprise, with no gap or duplicate. Exits 1 if
any check fails. NUMBERS_FILE, if set, receives the numbers one a line. Standard library only."""
import collections, hashlib, http.client, json, os, random, socket, sys, threading, time

host, port = sys.argv[1], int(sys.argv[2])
lines = [l.strip() for l in open(os.environ["TOKENS"], encoding="utf-8") if l.strip()]
if not lines or not lines[0].startswith("policy,"):
    sys.exit("TOKENS: the first line should be policy,<policy_version_id>")
policy = int(lines[0].split(",", 1)[1])
applicants = [(int(org), token) for org, token in (l.split(",", 1) for l in lines[1:])]
lender = int(os.environ["LENDER"])
clients = int(os.environ.get("CLIENTS", "64"))
district = os.environ.get("DISTRICT", "440305")
SLOTS = ["application_form", "business_licence", "tax_certificate", "loan_contract",
         "disbursement_voucher", "repayment_voucher", "pledge_contract", "pledge_proof"]
MIN_SIZE, MAX_SIZE = 200 * 1024, 2 * 1024 * 1024
HEAD = b"%PDF-1.7\n"

lock = threading.Lock()
latencies = collections.defaultdict(list)  # kind -> seconds
non2xx = collections.Counter()  # (kind, status) -> count
conn_errors = collections.Counter()  # (kind, exception name) -> count
uploaded = [0]  # bytes of files accepted (201)
results = []  # per enterprise: {"org", "token", "app", "number", "files": [(file_id, sha256, size)]}


class Connection(http.client.HTTPConnection):
    """Keep-alive connection without Nagle's delay, so small requests are timed, not the TCP stack."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def call(conn, kind, method, path, body, headers):
    """One request; returns (status, body) or (None, None) on a broken connection."""
    t0 = time.perf_counter()
    try:
        conn.request(method, path, body, headers)
        resp = conn.getresponse()
        data = resp.read()
    except (OSError, http.client.HTTPException) as e:
        conn.close()  # the next request opens a new connection
        with lock:
            conn_errors[(kind, type(e).__name__)] += 1
            if sum(conn_errors.values()) <= 3:
                print(f"{kind} {path}: {type(e).__name__}: {e}", file=sys.stderr)
        return None, None
    dt = time.perf_counter() - t0
    with lock:
        latencies[kind].append(dt)
        if not 200 <= resp.status < 300:
            non2xx[(kind, resp.status)] += 1
            if sum(non2xx.values()) <= 5:
                print(f"{kind} {path}: status {resp.status}: {data[:300].decode(errors='replace')}", file=sys.stderr)
    return resp.status, data


def field(data, name):
    try:
        return json.loads(data)[name]
    except (ValueError, KeyError, TypeError):
        print(f"unexpected answer (no {name!r}): {data[:300]!r}", file=sys.stderr)
        return None


def application(org):
    line = {
        "lender_org_id": lender,
        "lender_name": "深南银行深圳分行",
        "contract_number": f"BENCH-{org}",
        "pledge_number": f"Y2026980{org % 10_000_000:07d}",
        "principal_fen": 100_000_000,
        "other_collateral": False,
        "ip_kind": "patent",
        "start": "2026-02-10",
        "end": "2027-02-09",
        "annual_rate": "0.035",
        "interest_paid_fen": 500_000,
    }
    return {"kind": "enterprise_fee", "policy_version_id": policy, "items": ["interest"], "body": {"lines": [line]}}


def submit_one(conn, rng, org, token):
    auth = {"Authorization": f"Bearer {token}"}
    rec = {"org": org, "token": token, "app": None, "number": None, "files": []}
    t0 = time.perf_counter()
    body = json.dumps(application(org), ensure_ascii=False).encode()
    status, data = call(conn, "create", "POST", "/api/v1/applications", body,
                        {**auth, "Content-Type": "application/json"})
    if status != 201 or (app := field(data, "id")) is None:
        return rec
    rec["app"] = app
    for slot in SLOTS:
        size = rng.randint(MIN_SIZE, MAX_SIZE)
        content = HEAD + os.urandom(size - len(HEAD))
        digest = hashlib.sha256(content).hexdigest()
        status, data = call(conn, "upload", "POST", f"/api/v1/applications/{app}/slots/{slot}", content,
                            {**auth, "Content-Type": "application/octet-stream", "X-File-Name": f"scan-{slot}.pdf"})
        if status != 201 or (fid := field(data, "id")) is None:
            return rec
        rec["files"].append((fid, digest, size))
        with lock:
            uploaded[0] += size
    status, data = call(conn, "submit", "POST", f"/api/v1/applications/{app}/submit", None, auth)
    if status == 200:
        rec["number"] = field(data, "number")
        if rec["number"] is not None:
            with lock:
                latencies["application"].append(time.perf_counter() - t0)
    return rec


def pool(jobs, work):
    """Runs work(conn, rng, job) over jobs on CLIENTS threads, one keep-alive connection each."""
    it, it_lock = iter(jobs), threading.Lock()

    def worker(seed):
        conn = Connection(host, port, timeout=300)
        rng = random.Random(seed)
        while True:
            with it_lock:
                job = next(it, None)
            if job is None:
                break
            work(conn, rng, job)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def pct(kind, p):
    lat = sorted(latencies[kind])
    return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0.0


def by_status(counter):
    return ", ".join(f"{k[0]} {k[1]}: {n}" for k, n in sorted(counter.items(), key=str)) or "none"


def ranges(nums):
    """'a..b, c..d' over sorted distinct sequence numbers."""
    out, start = [], None
    for i, n in enumerate(nums):
        if start is None:
            start = n
        if i + 1 == len(nums) or nums[i + 1] != n + 1:
            out.append(f"{start:05d}" if start == n else f"{start:05d}..{n:05d}")
            start = None
    return ", ".join(out) or "none"


# Submission phase.
def submit_job(conn, rng, job):
    rec = submit_one(conn, rng, *job)
    with lock:
        results.append(rec)


start = time.perf_counter()
pool(applicants, submit_job)
elapsed = time.perf_counter() - start
n = len(applicants)
submitted = [r for r in results if r["number"]]
files_sent = [(r["app"], fid, sha, r["token"]) for r in results for fid, sha, _ in r["files"]]
five = sum(c for (k, s), c in non2xx.items() if s >= 500)
print(f"  submission: {len(submitted)}/{n} applications in {elapsed:.1f} s — {len(submitted) / elapsed:.2f} submissions/s, "
      f"{uploaded[0] / 1e6 / elapsed:.1f} MB/s uploaded ({len(files_sent)} files, {uploaded[0] / 1e9:.2f} GB), {clients} clients")
for kind in ("create", "upload", "submit", "application"):
    what = "whole application (create → submit)" if kind == "application" else f"{kind} requests"
    print(f"  {what:<38} {len(latencies[kind]):6d}  p50 {pct(kind, 0.50):9.1f} ms  p99 {pct(kind, 0.99):9.1f} ms")
print(f"  non-2xx: {by_status(non2xx)} · 5xx: {five} · broken connections: {by_status(conn_errors)}")

# Verification phase: every file read back with its enterprise's token.
verified, mismatched, unreadable = [0], [0], [0]


def verify_job(conn, rng, job):
    app, fid, sha, token = job
    status, data = call(conn, "download", "GET", f"/api/v1/applications/{app}/files/{fid}", None,
                        {"Authorization": f"Bearer {token}"})
    with lock:
        if status != 200:
            unreadable[0] += 1
        elif hashlib.sha256(data).hexdigest() == sha:
            verified[0] += 1
        else:
            mismatched[0] += 1


t0 = time.perf_counter()
pool(files_sent, verify_job)
v_elapsed = time.perf_counter() - t0
print(f"  verification: {verified[0]}/{len(files_sent)} files read back identical, {mismatched[0]} mismatched, "
      f"{unreadable[0]} unreadable (non-2xx: {by_status({k: c for k, c in non2xx.items() if k[0] == 'download'})}) "
      f"in {v_elapsed:.1f} s; "
      f"download p50 {pct('download', 0.50):.1f} ms p99 {pct('download', 0.99):.1f} ms")

# Numbers: exactly <district>-YYYY-EF-00001..n.
numbers = [r["number"] for r in submitted]
if os.environ.get("NUMBERS_FILE"):
    with open(os.environ["NUMBERS_FILE"], "w", encoding="utf-8") as f:
        f.write("".join(f"{x}\n" for x in sorted(numbers)))
year = numbers[0].split("-")[1] if numbers and numbers[0].count("-") == 3 else "????"
prefix = f"{district}-{year}-EF-"
expected = {f"{prefix}{i:05d}" for i in range(1, n + 1)}
dups = sorted(x for x, c in collections.Counter(numbers).items() if c > 1)
missing = sorted(expected - set(numbers))
unexpected = sorted(set(numbers) - expected)
seqs = sorted({int(x[len(prefix):]) for x in numbers if x.startswith(prefix) and x[len(prefix):].isdigit()})
print(f"  numbers: {len(numbers)} ({len(set(numbers))} distinct): {prefix}{ranges(seqs)}"
      + (f"; missing {len(missing)}: {', '.join(missing[:10])}" if missing else "")
      + (f"; duplicated {len(dups)}: {', '.join(dups[:10])}" if dups else "")
      + (f"; unexpected {len(unexpected)}: {', '.join(unexpected[:10])}" if unexpected else ""))

checks = {
    f"exactly {n} applications submitted": len(submitted) == n,
    f"{n * len(SLOTS)} files accepted": len(files_sent) == n * len(SLOTS),
    "no 5xx answer": not any(s >= 500 for (_, s) in non2xx),
    "no broken connection": not conn_errors,
    "every file read back identical": verified[0] == len(files_sent) and not mismatched[0] and not unreadable[0],
    f"numbers {prefix}00001..{n:05d}, gapless, no duplicate": not (missing or dups or unexpected) and len(numbers) == n,
}
failed = [name for name, ok in checks.items() if not ok]
print("  client checks: " + ("all passed" if not failed else "FAILED: " + "; ".join(failed)))
sys.exit(1 if failed else 0)
