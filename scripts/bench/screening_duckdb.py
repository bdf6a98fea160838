#!/usr/bin/env python3
"""Issue #20 item 2 benchmark: the default screening model written as one DuckDB SQL query over
the facts of every enterprise (exported by `ipfin screening --export-csv`, converted to Parquet
first, untimed) — what an analyst would use instead — timed, and checked against ipfin's
counts and checksum.

    usage: screening_duckdb.py FACTS_CSV IPFIN_LINE
    env: REPEAT (10)

IPFIN_LINE is the first line `ipfin screening` prints (enterprises, passing, high and the sum
of every score in twelfths of a point). The query computes each factor's level exactly as
crates/ipfin-domain/src/screening.rs does (a missing fact earns nothing), the score in twelfths
of a point (weights 20 6 6 10 10 8 8 10 10 4 4 4, threshold 40), and returns the counts, the
checksum and the ten best (score, id). Exits 1 when a figure differs.
"""

import os
import re
import statistics
import sys
import time

import duckdb

SCORE = """
    20 * 3 * ((invention_patents >= 1)::INT + (invention_patents >= 2)::INT + (invention_patents >= 5)::INT + (invention_patents >= 10)::INT)
  + 6 * 4 * ((trademarks >= 1)::INT + (trademarks >= 3)::INT + (trademarks >= 10)::INT)
  + 6 * 4 * ((copyrights >= 1)::INT + (copyrights >= 3)::INT + (copyrights >= 10)::INT)
  + 10 * 4 * ((recent_grants >= 1)::INT + (recent_grants >= 2)::INT + (recent_grants >= 5)::INT)
  + 10 * 4 * CASE WHEN rd_expense_fen >= 0 AND revenue_fen > 0 THEN
        (rd_expense_fen * 10000 >= revenue_fen * 100)::INT + (rd_expense_fen * 10000 >= revenue_fen * 300)::INT
      + (rd_expense_fen * 10000 >= revenue_fen * 600)::INT ELSE 0 END
  + 8 * 4 * CASE WHEN revenue_fen >= 0 THEN
        (revenue_fen >= 500000000)::INT + (revenue_fen >= 2000000000)::INT + (revenue_fen >= 10000000000)::INT ELSE 0 END
  + 8 * 4 * CASE WHEN revenue_fen >= 0 AND prev_revenue_fen > 0 THEN
        ((revenue_fen - prev_revenue_fen) * 10000 >= 0)::INT + ((revenue_fen - prev_revenue_fen) * 10000 >= prev_revenue_fen * 1000)::INT
      + ((revenue_fen - prev_revenue_fen) * 10000 >= prev_revenue_fen * 3000)::INT ELSE 0 END
  + 10 * 12 * (1 - current_pledge)
  + 10 * 12 * coalesce(financing_need, 0)
  + 4 * 12 * coalesce(1 - abnormal_operation, 0)
  + 4 * 12 * coalesce(1 - dishonest, 0)
  + 4 * 6 * CASE size_class WHEN 'large' THEN 0 WHEN 'micro' THEN 1 WHEN 'small' THEN 2 WHEN 'medium' THEN 2 ELSE 0 END
"""


def main():
    csv, line = sys.argv[1], sys.argv[2]
    repeat = int(os.environ.get("REPEAT", "10"))
    parquet = csv.rsplit(".", 1)[0] + ".parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv}', header = true, types = {{'district': 'VARCHAR', 'size_class': 'VARCHAR'}})) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    query = f"""
        SELECT count(*) AS enterprises,
               count(*) FILTER (WHERE score >= 40 * 12) AS passing,
               count(*) FILTER (WHERE score * 2 >= (40 + 100) * 12) AS high,
               sum(score) AS score_sum,
               max_by(id, score, 10) AS best
        FROM (SELECT id, ({SCORE}) AS score FROM read_parquet('{parquet}'))
    """
    times, row = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        row = con.execute(query).fetchone()
        times.append((time.perf_counter() - t) * 1000)
    enterprises, passing, high, score_sum, _best = row
    print(
        f"duckdb {duckdb.__version__}: enterprises {enterprises} · passing {passing} · high {high} · "
        f"score_sum_twelfths {score_sum}"
    )
    print(
        f"duckdb query: {repeat} run(s) · first {times[0]:.1f} ms · min {min(times):.1f} ms · "
        f"median {statistics.median(times):.1f} ms · max {max(times):.1f} ms"
    )
    want = {k: int(v) for k, v in re.findall(r"(enterprises|passing|high|score_sum_twelfths) (\d+)", line)}
    got = {"enterprises": enterprises, "passing": passing, "high": high, "score_sum_twelfths": int(score_sum)}
    if want != got:
        print(f"MISMATCH: ipfin {want} duckdb {got}")
        sys.exit(1)
    print("same counts and checksum as ipfin")


if __name__ == "__main__":
    main()
