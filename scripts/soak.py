"""Soak client: mixed reads and writes at a fixed concurrency for a fixed time, then a check
that every acknowledged write is readable. Run by scripts/soak.sh.

Reads vary on every request: the README's views for a department, a task and a period drawn
at random from the whole list; writes are submitReport with unique summaries spread over every
(task, lead department) pair of the first period, half of them with an idempotency key that is
sent twice (the second must return the first result). Samples the server's RSS every
5 s from /proc/PID/status. Prints a table and a JSON line; exits 1 on any error or lost write.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time

import aiohttp

READS = [
    """query($d: String!) { tasks(filter: { departmentName: $d, role: LEAD, coLed: true }) {
         totalCount nodes { number content leads { name } } } }""",
    """query($d: String!) { department(name: $d) { kind workload { lead soleLead coLead responsible total }
         coLeaders { department { name } taskCount tasks { number } }
         tasks(role: LEAD, first: 5) { totalCount nodes { number } pageInfo { hasNextPage endCursor } } } }""",
    """query($t: ID!) { node(id: $t) { ... on Task { number content leads { name } responsibleUnits { name }
         indicators { targetValue unit } reports { revision status progressPercent revisions { revision } } } } }""",
    """query($p: ID!, $d: String!) { obligationSummary(periodId: $p) { total submitted submittedLate pending overdue }
         obligations(periodId: $p, departmentName: $d) { totalCount
           nodes { task { number } department { name } state light report { revision status progressPercent } } } }""",
]
SUBMIT = """mutation($input: SubmitReportInput!) {
  submitReport(input: $input) { report { id revision summary } } }"""
STATUSES = ["NOT_STARTED", "ON_TRACK", "AT_RISK", "DELAYED", "COMPLETED"]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Run:
    def __init__(self, args):
        self.args = args
        self.latencies = {"read": [], "write": []}
        self.errors = []
        self.acked = []  # (report id, revision, summary)
        self.rss = []  # (seconds, KiB)
        self.headers = {"authorization": f"Bearer {args.token}", "content-type": "application/json"}
        # Every revision of a report is in the task page's answer, which grows with the writes;
        # without them every answer keeps its size, and memory that still grows is the server's.
        self.reads = [q.replace(" revisions { revision }", "") for q in READS] if args.answers_of_one_size else READS

    async def post(self, session, query, variables=None):
        body = json.dumps({"query": query, "variables": variables or {}})
        async with session.post(self.args.url, data=body, headers=self.headers) as resp:
            text = await resp.text()
            return resp.status, text

    async def setup(self, session):
        status, text = await self.post(session, """{ reportingPeriods { id }
            tasks(first: 500) { nodes { id leads { id name isCollective } responsibleUnits { name } } } }""")
        data = json.loads(text)["data"]
        self.period = data["reportingPeriods"][0]["id"]
        self.periods = [p["id"] for p in data["reportingPeriods"]]
        self.tasks = [t["id"] for t in data["tasks"]["nodes"]]
        self.departments = sorted({d["name"] for t in data["tasks"]["nodes"] for d in t["leads"] + t["responsibleUnits"]})
        self.pairs = [(t["id"], d["id"]) for t in data["tasks"]["nodes"] for d in t["leads"] if not d["isCollective"]]

    async def worker(self, session, n, deadline):
        rng = random.Random(n)
        i = 0
        while time.monotonic() < deadline:
            i += 1
            write = rng.random() < self.args.write_share
            if write:
                task, dept = rng.choice(self.pairs)
                summary = f"soak w{n} #{i} {time.time_ns()}"
                variables = {"input": {"taskId": task, "departmentId": dept, "periodId": self.period,
                                       "status": rng.choice(STATUSES), "progressPercent": rng.randint(0, 100),
                                       "summary": summary}}
                retried = rng.random() < 0.5
                if retried:
                    variables["input"]["idempotencyKey"] = f"soak-{n}-{i}"
                query = SUBMIT
            else:
                query = rng.choice(self.reads)
                variables = {"p": rng.choice(self.periods), "d": rng.choice(self.departments), "t": rng.choice(self.tasks)}
                # Each query takes only the variables it declares.
                variables = {k: v for k, v in variables.items() if f"${k}" in query}
            started = time.monotonic()
            try:
                status, text = await self.post(session, query, variables)
                body = json.loads(text)
            except Exception as e:  # a transport error is an error too
                self.errors.append(f"transport: {e!r}")
                continue
            elapsed = time.monotonic() - started
            if status != 200 or body.get("errors") or not body.get("data"):
                self.errors.append(f"HTTP {status}: {text[:300]}")
                continue
            self.latencies["write" if write else "read"].append(elapsed)
            if write:
                r = body["data"]["submitReport"]["report"]
                if r["summary"] != summary:
                    self.errors.append(f"acknowledged another summary: {r}")
                self.acked.append((r["id"], r["revision"], summary))
                if retried:
                    # The client's retry after a lost answer: the first result, nothing written.
                    status, text = await self.post(session, query, variables)
                    again = json.loads(text).get("data") or {}
                    if status != 200 or again.get("submitReport", {}).get("report") != r:
                        self.errors.append(f"a retried submission did not return the first result: {text[:300]}")

    async def sample_rss(self, start, deadline):
        while True:
            self.rss.append((round(time.monotonic() - start), rss_kib(self.args.pid)))
            if time.monotonic() >= deadline:
                return
            await asyncio.sleep(min(5, max(0.0, deadline - time.monotonic())))

    async def verify(self, session):
        """Every acknowledged (report, revision, summary) is readable through the API."""
        stored = {}
        after = None
        while True:
            status, text = await self.post(session, """query($after: String) {
                reports(first: 500, after: $after) { pageInfo { hasNextPage endCursor }
                  nodes { id revision summary revisions { revision summary } } } }""", {"after": after})
            page = json.loads(text)["data"]["reports"]
            for r in page["nodes"]:
                revs = [v["revision"] for v in r["revisions"]]
                if revs != list(range(1, len(revs) + 1)) or r["revision"] != len(revs):
                    self.errors.append(f"report {r['id']}: revisions {revs[:10]}… at {r['revision']}")
                for v in r["revisions"]:
                    stored[(r["id"], v["revision"])] = v["summary"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        lost = [a for a in self.acked if stored.get((a[0], a[1])) != a[2]]
        return len(stored), lost

    async def main(self):
        connector = aiohttp.TCPConnector(limit=self.args.concurrency)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await self.setup(session)
            start = time.monotonic()
            deadline = start + self.args.seconds
            sampler = asyncio.create_task(self.sample_rss(start, deadline))
            await asyncio.gather(*(self.worker(session, n, deadline) for n in range(self.args.concurrency)))
            wall = time.monotonic() - start
            await sampler
            self.rss.append((round(wall), rss_kib(self.args.pid)))
            stored, lost = await self.verify(session)
        return wall, stored, lost


def pct(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--write-share", type=float, default=0.2)
    ap.add_argument("--label", default="")
    ap.add_argument("--answers-of-one-size", action="store_true",
                    help="read reports without their revisions, so that answers do not grow with the writes")
    ap.add_argument("--max-rss-slope", type=float, default=1.0,
                    help="MiB per minute, least squares over the second half of the run (the caches fill during the first)")
    args = ap.parse_args()
    run = Run(args)
    wall, stored, lost = asyncio.run(run.main())
    reads, writes = len(run.latencies["read"]), len(run.latencies["write"])
    rss = [kib for _, kib in run.rss]
    warm = [kib for t, kib in run.rss if t >= 10] or rss
    growth = (warm[-1] - warm[0]) / warm[0] * 100 if warm and warm[0] else 0.0
    # The stores fill during the first minutes by design (SQLite's page caches, the answers kept,
    # each bounded in bytes): flat means flat once they are full, so the gate is the second half.
    half = [kib for t, kib in run.rss if t >= wall / 2] or rss
    growth_half = (max(half) - half[0]) / half[0] * 100 if half and half[0] else 0.0

    def slope_of(since):
        """Least-squares slope of RSS from `since` seconds on, in MiB per minute."""
        pts = [(t, kib / 1024) for t, kib in run.rss if t >= since]
        if len(pts) < 2:
            return 0.0
        mt = statistics.fmean(t for t, _ in pts)
        mr = statistics.fmean(r for _, r in pts)
        den = sum((t - mt) ** 2 for t, _ in pts)
        return sum((t - mt) * (r - mr) for t, r in pts) / den * 60 if den else 0.0

    slope, slope_half = slope_of(10), slope_of(wall / 2)
    result = {
        "label": args.label, "seconds": round(wall, 1), "concurrency": args.concurrency,
        "requests": reads + writes, "req_per_s": round((reads + writes) / wall, 1),
        "reads": reads, "writes": writes, "errors": len(run.errors),
        "read_ms_p50": round(pct(run.latencies["read"], 50), 1), "read_ms_p99": round(pct(run.latencies["read"], 99), 1),
        "write_ms_p50": round(pct(run.latencies["write"], 50), 1),
        "write_ms_p99": round(pct(run.latencies["write"], 99), 1),
        "rss_mib": [round(k / 1024, 1) for k in rss], "rss_growth_after_10s_pct": round(growth, 1),
        "rss_slope_mib_per_min": round(slope, 2), "rss_growth_second_half_pct": round(growth_half, 1),
        "rss_slope_second_half_mib_per_min": round(slope_half, 2), "rss_max_mib": round(max(rss) / 1024, 1) if rss else 0,
        "acknowledged_writes": len(run.acked), "revisions_stored": stored, "lost_writes": len(lost),
    }
    print(f"{'':2}{args.label}: {result['requests']} requests in {result['seconds']} s at concurrency "
          f"{args.concurrency} = {result['req_per_s']} req/s ({reads} reads, {writes} writes)")
    print(f"  errors {len(run.errors)}; lost writes {len(lost)} of {len(run.acked)} acknowledged "
          f"({stored} revisions stored)")
    print(f"  latency ms: read p50 {result['read_ms_p50']} p99 {result['read_ms_p99']}, "
          f"write p50 {result['write_ms_p50']} p99 {result['write_ms_p99']}")
    print(f"  RSS MiB every 5 s: {result['rss_mib']} (growth after warm-up {result['rss_growth_after_10s_pct']}%, "
          f"slope {result['rss_slope_mib_per_min']} MiB/min)")
    print(f"  second half: RSS growth {result['rss_growth_second_half_pct']}%, "
          f"slope {result['rss_slope_second_half_mib_per_min']} MiB/min; max {result['rss_max_mib']} MiB")
    for e in run.errors[:10]:
        print(f"  error: {e}")
    for a in lost[:10]:
        print(f"  lost: {a}")
    print("SOAK_RESULT " + json.dumps(result, ensure_ascii=False))
    if slope_half > args.max_rss_slope:
        print(f"  RSS rose {slope_half:.2f} MiB/min over the second half (max {args.max_rss_slope})")
    sys.exit(1 if run.errors or lost or slope_half > args.max_rss_slope else 0)


if __name__ == "__main__":
    main()
