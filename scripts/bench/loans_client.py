#!/usr/bin/env python3
"""Load client for scripts/bench/loans.sh: CLIENTS threads, each on one keep-alive connection,
report generated loans as a bank's system would, one per POST /api/v1/loans or BATCH per
POST /api/v1/loans/batch, until TOTAL loans are sent (or for SECONDS). Prints loans/s, requests/s,
p50/p99 latency and the number of non-2xx answers. Standard library only."""
import http.client, json, os, sys, threading, time

host, port = sys.argv[1], int(sys.argv[2])
token = os.environ["TOKEN"]
codes = [l.strip() for l in open(os.environ["CODES"]) if l.strip()]
batch = int(os.environ.get("BATCH", "1"))
total = int(os.environ.get("TOTAL", "0"))
seconds = float(os.environ.get("SECONDS", "0"))
clients = int(os.environ.get("CLIENTS", "16"))
run = os.environ.get("RUN", "1")

lock = threading.Lock()
counter = [0]
latencies, failures = [], [0]


def next_serials(n):
    with lock:
        if total and counter[0] >= total:
            return []
        take = n if not total else min(n, total - counter[0])
        start = counter[0]
        counter[0] += take
    return range(start + 1, start + take + 1)


def loan(serial):
    principal = 100_000_000 + (serial % 50) * 10_000_000
    number = int(run) * 10_000_000 + serial
    return {
        "contract_number": f"BENCH-{run}-{serial}",
        "borrower_credit_code": codes[serial % len(codes)],
        "principal_fen": principal,
        "annual_rate": "0.0345",
        "start_date": "2026-03-05",
        "end_date": "2027-03-04",
        "first_loan": serial % 3 == 0,
        "pledges": [{
            "number": f"Y2026{number:09d}",
            "secured_amount_fen": principal,
            "registration_date": "2026-03-01",
            "items": [{"kind": "trademark", "number": str(number), "title": "基准商标"}],
        }],
    }


def worker(deadline):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while not deadline or time.perf_counter() < deadline:
        serials = next_serials(batch)
        if not serials:
            break
        if batch == 1:
            path, body = "/api/v1/loans", json.dumps(loan(serials[0]), ensure_ascii=False)
        else:
            path, body = "/api/v1/loans/batch", json.dumps({"loans": [loan(s) for s in serials]}, ensure_ascii=False)
        t0 = time.perf_counter()
        conn.request("POST", path, body.encode(), headers)
        resp = conn.getresponse()
        data = resp.read()
        dt = time.perf_counter() - t0
        with lock:
            latencies.append(dt)
            if resp.status >= 300:
                failures[0] += 1
                if failures[0] <= 3:
                    print(f"status {resp.status}: {data[:300].decode(errors='replace')}", file=sys.stderr)


start = time.perf_counter()
deadline = start + seconds if seconds else 0
threads = [threading.Thread(target=worker, args=(deadline,)) for _ in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
lat = sorted(latencies)
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0.0
loans = counter[0] if total else len(lat) * batch
print(f"{loans / elapsed:9.0f} loans/s {len(lat) / elapsed:8.1f} req/s  p50 {pct(0.50):8.1f} ms  p99 {pct(0.99):8.1f} ms  "
      f"requests {len(lat)}  non-2xx {failures[0]}  {elapsed:.1f} s")
