#!/usr/bin/env python3
"""Varied-request benchmark: qingdan beside PostGraphile v5 on the same PostgreSQL database.

Every request asks for another bureau, task, page or period, drawn without replacement from the
whole dataset; the peer gets the same draws in its own query language, and no body repeats
within a run (warm-up bodies are drawn apart from the timed ones). Load comes from wrk with
../shared/tools/peer/wrk-varied.lua. A harness, not a test:

  python3 benches/varied/varied.py --db qingdan_bench --qingdan http://127.0.0.1:8000/graphql \
      --token "$ADMIN" --peer http://127.0.0.1:5055/graphql

The database must hold a generated dataset (`qingdan generate --scale national`); qingdan and
the peer must be serving it (see benches/varied/README.md).
"""

import argparse
import base64
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WRK_LUA = os.path.join(HERE, "..", "..", "..", "shared", "tools", "peer", "wrk-varied.lua")


def gid(kind, n):
    return base64.urlsafe_b64encode(f"{kind}:{n}".encode()).decode().rstrip("=")


def psql(db, sql):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-AtF", "\t", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def body(query, variables):
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False)


Q_TASK_PAGE = """query TaskPage($id: ID!) { node(id: $id) { id ... on Task { number content isCoLed
  category { number name } document { region year title issuer }
  assignments { role position department { id name kind } } indicators { targetValue unit comparator phrase }
  reports { revision status progressPercent summary submittedAt isLate department { name }
    period { quarter label dueOn } revisions { revision status progressPercent submittedAt } } } } }"""
P_TASK_PAGE = """query TaskPage($id: BigInt!) { task(rowId: $id) { rowId number content leadCount
  category { number name } document { region year title issuer }
  assignments(orderBy: ROW_ID_ASC) { nodes { role position department { rowId name kind } } }
  indicators(orderBy: ROW_ID_ASC) { nodes { targetValue unit comparator phrase } }
  reports(orderBy: ROW_ID_ASC) { nodes { revision status progressPercent summary submittedAt firstSubmittedAt
    department { name } period { quarter label dueOn }
    reportRevisions(orderBy: ROW_ID_ASC) { nodes { revision status progressPercent submittedAt } } } } } }"""

Q_DASHBOARD = """query Dashboard($dept: ID!, $first: Int!) { department(id: $dept) { name kind
  workload { lead soleLead coLead responsible total } coLeaders { department { name } taskCount }
  tasks(first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { id number content category { name }
    leads { name } responsibleUnits { name } reports { revision status progressPercent submittedAt } } } } }"""
P_DASHBOARD = """query Dashboard($dept: BigInt!, $first: Int!) { department(rowId: $dept) { name kind
  assignments(first: $first, orderBy: TASK_ID_ASC) { totalCount pageInfo { hasNextPage endCursor }
    nodes { task { rowId number content category { name }
      assignments(orderBy: ROW_ID_ASC) { nodes { role department { name } } }
      reports(orderBy: ROW_ID_ASC) { nodes { revision status progressPercent submittedAt } } } } } } }"""

Q_CO_LED = """query CoLed($dept: ID!, $first: Int!) {
  tasks(filter: {departmentId: $dept, role: LEAD, coLed: true}, first: $first) {
    totalCount nodes { id number content category { number name } leads { name } } } }"""
P_CO_LED = """query CoLed($dept: BigInt!, $first: Int!) {
  tasks(first: $first, orderBy: ROW_ID_ASC, filter: {leadCount: {greaterThanOrEqualTo: 2},
      assignments: {some: {departmentId: {equalTo: $dept}, role: {equalTo: "LEAD"}}}}) {
    totalCount nodes { rowId number content category { number name }
      assignments(filter: {role: {equalTo: "LEAD"}}, orderBy: POSITION_ASC) { nodes { department { name } } } } } }"""

Q_TASK_LIST = """query TaskList($category: Int!, $search: String!, $first: Int!) {
  tasks(filter: {categoryNumber: $category, search: $search}, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id number content category { name } leads { name } } } }"""
P_TASK_LIST = """query TaskList($category: Int!, $search: String!, $first: Int!) {
  tasks(first: $first, orderBy: ROW_ID_ASC, filter: {category: {number: {equalTo: $category}}, content: {includes: $search}}) {
    totalCount pageInfo { hasNextPage endCursor } nodes { rowId number content category { name }
      assignments(filter: {role: {equalTo: "LEAD"}}, orderBy: POSITION_ASC) { nodes { department { name } } } } } }"""

Q_STATS = """query Stats($doc: ID!, $first: Int!) { taskStats(filter: {documentId: $doc}, groupBy: [DEPARTMENT], first: $first) {
  department { name } taskCount coLedTaskCount assignmentCount } }"""
P_STATS = """query Stats($doc: BigInt!, $first: Int!) {
  departments(first: $first, orderBy: ROW_ID_ASC, filter: {assignments: {some: {task: {documentId: {equalTo: $doc}}}}}) {
    nodes { name tasks: assignments(filter: {task: {documentId: {equalTo: $doc}}}) { totalCount }
      coLed: assignments(filter: {task: {documentId: {equalTo: $doc}, leadCount: {greaterThanOrEqualTo: 2}}}) { totalCount } } } }"""

Q_SUBMIT = """mutation Submit($input: SubmitReportInput!) { submitReport(input: $input) { report { id revision } } }"""

Q_OVERDUE = """query Overdue($period: ID!, $first: Int!) { obligations(periodId: $period, state: OVERDUE, first: $first) {
  totalCount pageInfo { hasNextPage endCursor } nodes { state task { id number content } department { name } } } }"""

Q_LIGHTS = """query Lights($period: ID!, $dept: ID!, $asOf: Date!) {
  obligations(periodId: $period, departmentId: $dept, asOf: $asOf, first: 100) {
    totalCount nodes { state light dueOn task { number content } report { progressPercent review { state } }
      notices { level } } }
  obligationSummary(periodId: $period, departmentId: $dept, asOf: $asOf) { total green blue yellow red } }"""


def draws(db, seed):
    """Each op's draws: distinct (qingdan body, peer body or None) pairs, shuffled."""
    rng = random.Random(seed)
    tasks = [int(r[0]) for r in psql(db, "SELECT id FROM task")]
    depts = [int(r[0]) for r in psql(db, "SELECT DISTINCT department_id FROM assignment")]
    leads = [int(r[0]) for r in psql(db, "SELECT DISTINCT department_id FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.role = 'LEAD' AND t.lead_count >= 2")]
    docs = [int(r[0]) for r in psql(db, "SELECT id FROM document")]
    periods = [int(r[0]) for r in psql(db, "SELECT id FROM reporting_period")]
    # Search terms: two-character words of the task texts, the most common few hundred.
    counts = {}
    for (content,) in psql(db, "SELECT content FROM task TABLESAMPLE SYSTEM (5)"):
        for w in set(re.findall(r"[\u4e00-\u9fff]{2}", content)):
            counts[w] = counts.get(w, 0) + 1
    terms = [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:300]]

    def pairs(keys, make):
        keys = list(keys)
        rng.shuffle(keys)
        return [make(k) for k in keys]

    out = {
        "task_page": pairs(tasks, lambda t: (body(Q_TASK_PAGE, {"id": gid("Task", t)}), body(P_TASK_PAGE, {"id": str(t)}))),
        "dashboard": pairs([(d, f) for d in depts for f in range(20, 81)],
                           lambda k: (body(Q_DASHBOARD, {"dept": gid("Department", k[0]), "first": k[1]}),
                                      body(P_DASHBOARD, {"dept": str(k[0]), "first": k[1]}))),
        "co_led": pairs([(d, f) for d in leads for f in range(1, 101)],
                        lambda k: (body(Q_CO_LED, {"dept": gid("Department", k[0]), "first": k[1]}),
                                   body(P_CO_LED, {"dept": str(k[0]), "first": k[1]}))),
        "task_list": pairs([(c, s, f) for c in range(1, 26) for s in terms for f in range(20, 101, 4)],
                           lambda k: (body(Q_TASK_LIST, {"category": k[0], "search": k[1], "first": k[2]}),
                                      body(P_TASK_LIST, {"category": k[0], "search": k[1], "first": k[2]}))),
        "stats": pairs([(d, f) for d in docs for f in range(1, 501)],
                       lambda k: (body(Q_STATS, {"doc": gid("Document", k[0]), "first": k[1]}),
                                  body(P_STATS, {"doc": str(k[0]), "first": k[1]}))),
        "overdue": pairs([(p, f) for p in periods for f in range(1, 101)],
                         lambda k: (body(Q_OVERDUE, {"period": gid("ReportingPeriod", k[0]), "first": k[1]}), None)),
    }
    # The supervising office's view: one department's obligations of one period with their lights,
    # judged on a day around the due date (no peer: PostGraphile has no lights).
    owing = [tuple(map(int, r)) for r in psql(db, "SELECT DISTINCT p.id, a.department_id, "
                                             "CAST(p.due_on - DATE '2000-01-01' AS INT) FROM assignment a "
                                             "JOIN task t ON t.id = a.task_id JOIN reporting_period p ON p.document_id = t.document_id "
                                             "WHERE a.role = 'LEAD'")]
    day = lambda n: (datetime.date(2000, 1, 1) + datetime.timedelta(days=n)).isoformat()
    out["lights"] = pairs([(p, d, due + o) for p, d, due in owing for o in (-6, -2, 0, 3)],
                          lambda k: (body(Q_LIGHTS, {"period": gid("ReportingPeriod", k[0]), "dept": gid("Department", k[1]),
                                                     "asOf": day(k[2])}), None))
    out["reporting_day"] = out["dashboard"]
    writes = [tuple(map(int, r)) for r in psql(db, "SELECT task_id, department_id, period_id FROM report")]
    rng.shuffle(writes)
    out["_writes"] = [body(Q_SUBMIT, {"input": {"taskId": gid("Task", t), "departmentId": gid("Department", d),
                                                "periodId": gid("ReportingPeriod", p), "status": "ON_TRACK",
                                                "progressPercent": i % 101, "summary": f"报送日第{i}次"}})
                      for i, (t, d, p) in enumerate(writes)]
    return out


def writers(url, lines, seconds, token):
    """Two writers submitting through qingdan for `seconds`, in the background."""
    f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    env = dict(os.environ, GQL_BODIES=f.name, GQL_TOKEN=token)
    return subprocess.Popen(["wrk", "-t1", "-c2", f"-d{seconds}s", "--timeout", "10s", "-s", WRK_LUA, url],
                            env=env, stdout=subprocess.PIPE, text=True), f.name


def wrk(url, lines, seconds, concurrency, token=None):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    env = dict(os.environ, GQL_BODIES=path)
    if token:
        env["GQL_TOKEN"] = token
    else:
        env.pop("GQL_TOKEN", None)
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s", "-s", WRK_LUA, url],
                         env=env, capture_output=True, text=True).stdout
    os.unlink(path)
    m = re.search(r"RESULT requests=(\d+) rps=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) errors=(\d+)", out)
    if not m:
        sys.exit(f"wrk gave no RESULT line:\n{out}")
    return {"requests": int(m[1]), "rps": float(m[2]), "p50_ms": float(m[3]), "p99_ms": float(m[4]), "errors": int(m[5]),
            "bodies": len(lines)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="qingdan_bench")
    ap.add_argument("--qingdan", default="http://127.0.0.1:8000/graphql")
    ap.add_argument("--token", required=True, help="an admin token of qingdan")
    ap.add_argument("--peer", help="PostGraphile v5 on the same database")
    ap.add_argument("--ops", default="task_page,dashboard,co_led,task_list,stats,overdue,lights,reporting_day")
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default="bench-results/varied-postgres.json")
    a = ap.parse_args()
    pools = draws(a.db, a.seed)
    results = []
    print(f"varied requests, c{a.concurrency}, {a.duration} s per op after {a.warmup} s of warm-up (other draws)")
    print(f"{'op':<13} {'bodies':>7} | {'qingdan rps':>11} {'p50':>6} {'p99':>6} {'err':>4} | {'v5 rps':>7} {'p99':>6} {'err':>4} | {'ratio':>5}")
    for op in a.ops.split(","):
        pool = pools[op]
        # Warm-up draws come from the end of the pool, timed ones from the start: none repeats.
        half = len(pool) * 4 // 5
        timed, warm = pool[:half], pool[half:]
        row = {"op": op, "pool": len(pool)}
        for who, url, token, pick in [("qingdan", a.qingdan, a.token, 0), ("peer", a.peer, None, 1)]:
            if not url or pool[0][pick] is None:
                continue
            # Reporting day: two writers submit through qingdan while the readers read.
            writing = None
            if op == "reporting_day":
                w = pools["_writes"]
                share = w[: len(w) // 2] if who == "qingdan" else w[len(w) // 2 :]
                writing = writers(a.qingdan, share, a.warmup + a.duration + 1, a.token)
            wrk(url, [p[pick] for p in warm], a.warmup, a.concurrency, token)
            r = wrk(url, [p[pick] for p in timed], a.duration, a.concurrency, token)
            if writing:
                out, _ = writing[0].communicate()
                os.unlink(writing[1])
                m = re.search(r"rps=([\d.]+) .*errors=(\d+)", out)
                r["writes_per_s"], r["write_errors"] = (float(m[1]), int(m[2])) if m else (None, None)
            r["repeated"] = r["requests"] > len(timed)
            row[who] = r
        q, p = row.get("qingdan"), row.get("peer")
        ratio = f"{q['rps'] / p['rps']:.1f}x" if q and p and p["rps"] else "-"
        peer = f"{p['rps']:>7.0f} {p['p99_ms']:>6.1f} {p['errors']:>4}" if p else f"{'n/a':>7} {'':>6} {'':>4}"
        flag = " (bodies repeated)" if (q and q["repeated"]) or (p and p["repeated"]) else ""
        if "writes_per_s" in q:
            flag += f" (writers: {q['writes_per_s']:.0f}/s beside qingdan, {p['writes_per_s'] if p else 0:.0f}/s beside the peer)"
        print(f"{op:<13} {len(timed):>7} | {q['rps']:>11.0f} {q['p50_ms']:>6.1f} {q['p99_ms']:>6.1f} {q['errors']:>4} | {peer} | {ratio:>5}{flag}", flush=True)
        results.append(row)
    os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
    with open(a.json, "w") as f:
        json.dump({"concurrency": a.concurrency, "duration_s": a.duration, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
