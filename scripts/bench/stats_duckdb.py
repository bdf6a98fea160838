#!/usr/bin/env python3
"""Issue #7 benchmark: a quarter's statistics per district computed by DuckDB over the rows
exported from ipfin's database (loans, enterprises, pledge registrations as CSV, converted to
Parquet first, untimed), timed like `ipfin stats`, and checked against ipfin's answer.

    usage: stats_duckdb.py EXPORT_DIR QUARTER IPFIN_JSON
    env: REPEAT (20)

EXPORT_DIR holds loans.csv (id, enterprise_id, first_disbursed, principal_fen, first_loan 0/1,
ip_kinds), enterprises.csv (id, registered_district, size_class, size_override) and
pledges.csv (id, pledgor_enterprise_id, registration_date). IPFIN_JSON is `ipfin stats QUARTER
--json`. The query is the direct computation of ipfin (crates/ipfin-store/src/stats.rs) in one
pass per table: loan figures for the quarter, the year to date and the same quarter a year
earlier (FILTER clauses), and pledge registrations in the quarter. Exits 1 when a figure differs.
"""

import datetime
import json
import os
import statistics
import sys
import time

import duckdb

FIGURES = [
    "loans",
    "amount_fen",
    "enterprises",
    "first_loans",
    "sme_amount_fen",
    "patent_amount_fen",
    "trademark_amount_fen",
    "copyright_amount_fen",
]
PERIODS = {"quarter": "q", "year_to_date": "y", "last_year_quarter": "l"}


def quarter_bounds(year, q):
    first = datetime.date(year, 3 * (q - 1) + 1, 1)
    nxt = datetime.date(year + 1, 1, 1) if q == 4 else datetime.date(year, 3 * q + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


def loan_query(src_loans, src_ents, bounds):
    cols = []
    for p, (lo, hi) in bounds.items():
        cond = f"day BETWEEN DATE '{lo}' AND DATE '{hi}'"
        cols += [
            f"count(*) FILTER (WHERE {cond}) AS {p}_loans",
            f"coalesce(sum(principal_fen) FILTER (WHERE {cond}), 0) AS {p}_amount_fen",
            f"count(DISTINCT enterprise_id) FILTER (WHERE {cond}) AS {p}_enterprises",
            f"count(*) FILTER (WHERE {cond} AND first_loan = 1) AS {p}_first_loans",
            f"coalesce(sum(principal_fen) FILTER (WHERE {cond} AND sme), 0) AS {p}_sme_amount_fen",
            f"coalesce(sum(principal_fen) FILTER (WHERE {cond} AND ip_kinds LIKE '%patent%'), 0) AS {p}_patent_amount_fen",
            f"coalesce(sum(principal_fen) FILTER (WHERE {cond} AND ip_kinds LIKE '%trademark%'), 0) AS {p}_trademark_amount_fen",
            f"coalesce(sum(principal_fen) FILTER (WHERE {cond} AND ip_kinds LIKE '%copyright%'), 0) AS {p}_copyright_amount_fen",
        ]
    lo = min(b[0] for b in bounds.values())
    hi = max(b[1] for b in bounds.values())
    return f"""
        SELECT district, {", ".join(cols)} FROM (
            SELECT e.registered_district AS district, l.enterprise_id, l.first_disbursed AS day, l.principal_fen,
                   l.first_loan, coalesce(e.size_override, e.size_class) IN ('medium', 'small', 'micro') AS sme, l.ip_kinds
            FROM {src_loans} l JOIN {src_ents} e ON e.id = l.enterprise_id
            WHERE e.registered_district IS NOT NULL
              AND l.first_disbursed BETWEEN DATE '{lo}' AND DATE '{hi}'
        ) GROUP BY district"""


def pledge_query(src_pledges, src_ents, lo, hi):
    return f"""
        SELECT e.registered_district AS district, count(*) AS n FROM {src_pledges} p
        JOIN {src_ents} e ON e.id = p.pledgor_enterprise_id
        WHERE p.registration_date BETWEEN DATE '{lo}' AND DATE '{hi}' AND e.registered_district IS NOT NULL
        GROUP BY e.registered_district"""


def timed(con, queries, repeat):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = [con.execute(q).fetchall() for q in queries]
        times.append((time.perf_counter() - t) * 1000)
    return times, result


def describe(times):
    s = sorted(times)
    return (
        f"{len(times)} run(s) · first {times[0]:.1f} ms · min {s[0]:.1f} ms · "
        f"median {s[len(s) // 2]:.1f} ms · max {s[-1]:.1f} ms"
    )


def main():
    export, quarter, ipfin_json = sys.argv[1:4]
    repeat = int(os.environ.get("REPEAT", "20"))
    year, q = int(quarter[:4]), int(quarter[-1])
    qf, ql = quarter_bounds(year, q)
    bounds = {"q": (qf, ql), "y": (datetime.date(year, 1, 1), ql), "l": quarter_bounds(year - 1, q)}

    con = duckdb.connect()
    types = {
        "loans": "{'id': 'BIGINT', 'enterprise_id': 'BIGINT', 'first_disbursed': 'DATE', 'principal_fen': 'BIGINT', "
        "'first_loan': 'INTEGER', 'ip_kinds': 'VARCHAR'}",
        "enterprises": "{'id': 'BIGINT', 'registered_district': 'VARCHAR', 'size_class': 'VARCHAR', 'size_override': 'VARCHAR'}",
        "pledges": "{'id': 'BIGINT', 'pledgor_enterprise_id': 'BIGINT', 'registration_date': 'DATE'}",
    }
    rows = {}
    for t, cols in types.items():
        csv = os.path.join(export, f"{t}.csv")
        parquet = os.path.join(export, f"{t}.parquet")
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv}', header = true, columns = {cols})) TO '{parquet}' (FORMAT parquet)"
        )
        rows[t] = con.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0]
    print(
        f"DuckDB {duckdb.__version__}: {rows['loans']:,} loans, {rows['enterprises']:,} enterprises, "
        f"{rows['pledges']:,} pledge registrations exported"
    )

    def queries(loans, ents, pledges):
        return [loan_query(loans, ents, bounds), pledge_query(pledges, ents, qf, ql)]

    pq = {t: f"read_parquet('{os.path.join(export, t)}.parquet')" for t in types}
    times, (loan_rows, pledge_rows) = timed(con, queries(pq["loans"], pq["enterprises"], pq["pledges"]), repeat)
    print(f"  DuckDB over Parquet files   {quarter}: {describe(times)}")
    for t in types:
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM {pq[t]}")
    times, (loan_rows_mem, _) = timed(con, queries("loans", "enterprises", "pledges"), repeat)
    print(f"  DuckDB over in-memory tables {quarter}: {describe(times)}")

    names = ["district"] + [f"{p}_{f}" for p in "qyl" for f in FIGURES]
    duck = {r[0]: dict(zip(names, r)) for r in loan_rows}
    assert sorted(loan_rows) == sorted(loan_rows_mem)
    duck_pledges = dict(pledge_rows)

    with open(ipfin_json, encoding="utf-8") as f:
        ipfin = json.load(f)
    differences = []
    totals = {"amount_fen": 0, "loans": 0, "enterprises": 0, "ytd_amount_fen": 0, "pledges": 0}
    for line in ipfin:
        d = line["district"]
        for period, p in PERIODS.items():
            for fig in FIGURES:
                mine = line[period][fig]
                theirs = duck.get(d, {}).get(f"{p}_{fig}", 0)
                if mine != theirs:
                    differences.append(f"{d} {period}.{fig}: ipfin {mine}, DuckDB {theirs}")
        if line["pledge_registrations"] != duck_pledges.get(d, 0):
            differences.append(f"{d} pledges: ipfin {line['pledge_registrations']}, DuckDB {duck_pledges.get(d, 0)}")
        totals["amount_fen"] += line["quarter"]["amount_fen"]
        totals["loans"] += line["quarter"]["loans"]
        totals["enterprises"] += line["quarter"]["enterprises"]
        totals["ytd_amount_fen"] += line["year_to_date"]["amount_fen"]
        totals["pledges"] += line["pledge_registrations"]
    extra = set(duck) - {line["district"] for line in ipfin}
    differences += [f"{d}: only in DuckDB" for d in sorted(extra)]
    summary = (
        f"{quarter}: {totals['loans']:,} loans, {totals['amount_fen'] / 100:,.0f} yuan, {totals['enterprises']:,} enterprises "
        f"(district sums), year to date {totals['ytd_amount_fen'] / 100:,.0f} yuan, {totals['pledges']:,} pledge registrations"
    )
    if differences:
        print(f"  DuckDB DIFFERS from ipfin ({len(differences)} figures):")
        for x in differences[:20]:
            print(f"    {x}")
        sys.exit(1)
    print(f"  DuckDB equals ipfin on all {len(ipfin)} districts × 3 periods × {len(FIGURES)} figures + pledges; {summary}")


if __name__ == "__main__":
    main()
