#!/usr/bin/env python3
"""Independent oracle for scripts/eval/maven-attainment.ts: the same attainment sums in plain SQL.

Loads the Maven CRM CSVs into an in-memory SQLite database (Python stdlib only) and computes, with
GROUP BY, closed-won per (agent, quarter) and per (manager, quarter), the quota under the same rule
as the TypeScript check (every agent in sales_teams.csv: QUOTA per calendar quarter of 2017), the
attainment, and the overall win rate, average deal size and cycle time. Prints JSON on stdout.

Usage: maven_attainment_oracle.py <maven_crm folder> [quota per agent per quarter]
"""
import csv
import json
import sqlite3
import sys
from pathlib import Path

QUARTERS = ["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"]


def load(db: sqlite3.Connection, folder: Path) -> None:
    db.execute(
        "CREATE TABLE pipeline (opportunity_id TEXT PRIMARY KEY, sales_agent TEXT, deal_stage TEXT,"
        " engage_date TEXT, close_date TEXT, close_value REAL)"
    )
    db.execute("CREATE TABLE teams (sales_agent TEXT PRIMARY KEY, manager TEXT)")
    # newline='' lets the csv module handle the files' CRLF line endings.
    with open(folder / "sales_pipeline.csv", newline="", encoding="utf-8") as f:
        rows = [
            (r["opportunity_id"], r["sales_agent"], r["deal_stage"], r["engage_date"] or None,
             r["close_date"] or None, float(r["close_value"]) if r["close_value"] else None)
            for r in csv.DictReader(f)
        ]
    db.executemany("INSERT INTO pipeline VALUES (?, ?, ?, ?, ?, ?)", rows)
    with open(folder / "sales_teams.csv", newline="", encoding="utf-8") as f:
        db.executemany("INSERT INTO teams VALUES (?, ?)", [(r["sales_agent"], r["manager"]) for r in csv.DictReader(f)])


def main() -> None:
    folder = Path(sys.argv[1])
    quota = float(sys.argv[2]) if len(sys.argv) > 2 else 100000.0
    db = sqlite3.connect(":memory:")
    load(db, folder)
    db.execute("CREATE TABLE quarters (quarter TEXT)")
    db.executemany("INSERT INTO quarters VALUES (?)", [(q,) for q in QUARTERS])
    db.execute(
        "CREATE VIEW won AS SELECT sales_agent, close_value,"
        " strftime('%Y', close_date) || '-Q' || ((CAST(strftime('%m', close_date) AS INTEGER) + 2) / 3) AS quarter"
        " FROM pipeline WHERE deal_stage = 'Won'"
    )
    agents = db.execute(
        "SELECT t.sales_agent, q.quarter, COALESCE(SUM(w.close_value), 0), ? FROM teams t CROSS JOIN quarters q"
        " LEFT JOIN won w ON w.sales_agent = t.sales_agent AND w.quarter = q.quarter"
        " GROUP BY t.sales_agent, q.quarter ORDER BY t.sales_agent, q.quarter",
        (quota,),
    ).fetchall()
    managers = db.execute(
        "SELECT t.manager, q.quarter,"
        " (SELECT COALESCE(SUM(w.close_value), 0) FROM won w JOIN teams m ON m.sales_agent = w.sales_agent"
        "   WHERE m.manager = t.manager AND w.quarter = q.quarter),"
        " COUNT(*) * ? FROM teams t CROSS JOIN quarters q GROUP BY t.manager, q.quarter ORDER BY t.manager, q.quarter",
        (quota,),
    ).fetchall()
    overall = db.execute(
        "SELECT SUM(deal_stage = 'Won'), SUM(deal_stage = 'Lost'),"
        " SUM(CASE WHEN deal_stage = 'Won' THEN close_value END),"
        " AVG(CASE WHEN deal_stage = 'Won' THEN julianday(close_date) - julianday(engage_date) END)"
        " FROM pipeline"
    ).fetchone()
    won_count, lost_count, won_sum, cycle_mean = overall
    print(json.dumps({
        "quotaPerAgentQuarter": quota,
        "agents": [{"agent": a, "quarter": q, "won": w, "quota": qa, "attainment": w / qa if qa else None}
                   for a, q, w, qa in agents],
        "managers": [{"manager": m, "quarter": q, "won": w, "quota": qa, "attainment": w / qa if qa else None}
                     for m, q, w, qa in managers],
        "overall": {"won": won_count, "lost": lost_count, "winRate": won_count / (won_count + lost_count),
                    "avgDealSize": won_sum / won_count, "cycleMeanDays": cycle_mean},
    }))


if __name__ == "__main__":
    main()
