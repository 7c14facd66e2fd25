"""Summarises a schemathesis NDJSON report: what was sent, what came back, and what matters
for this server (5xx, non-JSON bodies, errors without extensions.code, INTERNAL, leaked
internals), apart from schemathesis' own check failures (most of which flag any GraphQL error).

Usage: python3 scripts/schemathesis_summary.py REPORT.ndjson
"""

import base64
import collections
import json
import re
import sys

LEAKS = ["SELECT", "INSERT", "sqlx", "sqlite", "SQLite", "postgres", ".rs:", "panicked", "DbErr"]


def decode(blob):
    if not blob:
        return ""
    if "$base64" in blob:
        return base64.b64decode(blob["$base64"]).decode("utf-8", "replace")
    return blob.get("string", "")


def pattern(message):
    """The message without its particulars (quoted text, numbers)."""
    return re.sub(r'"[^"]*"|“[^”]*”|\d+', "…", message)[:110]


def main(path):
    statuses = collections.Counter()
    codes = collections.Counter()
    checks = collections.Counter()
    problems = collections.defaultdict(list)  # kind -> [(len, request, response)]
    interactions = 0
    with open(path) as fh:
        for line in fh:
            event = json.loads(line)
            scenario = event.get("ScenarioFinished")
            if not scenario:
                continue
            recorder = scenario["recorder"]
            for results in recorder.get("checks", {}).values():
                for c in results:
                    if c["status"] == "failure":
                        f = c.get("failure_info", {}).get("failure", {})
                        checks[f"{c['name']}: {f.get('code', '')} {f.get('title', '')}"] += 1
            for it in recorder.get("interactions", {}).values():
                resp = it.get("response")
                if not resp:
                    continue
                interactions += 1
                status = resp["status_code"]
                statuses[status] += 1
                request = decode(it["request"].get("body"))
                text = decode(resp.get("content"))

                def problem(kind):
                    problems[kind].append((len(request), request, f"HTTP {status}: {text[:600]}"))

                if status >= 500:
                    problem(f"HTTP {status}")
                try:
                    body = json.loads(text)
                except ValueError:
                    problem("body is not JSON")
                    continue
                for e in body.get("errors") or []:
                    code = (e.get("extensions") or {}).get("code")
                    codes[code or "(none)"] += 1
                    message = e.get("message", "")
                    if not code:
                        problem(f"no extensions.code: {pattern(message)}")
                    elif code == "INTERNAL":
                        problem("INTERNAL")
                    for leak in LEAKS:
                        if leak in message:
                            problem(f"message contains {leak!r}: {pattern(message)}")
    print(f"{interactions} requests; HTTP statuses {dict(sorted(statuses.items()))}")
    print(f"error codes: {dict(codes.most_common())}")
    print("schemathesis check failures (schemathesis flags every GraphQL error; see SCHEMATHESIS.md):")
    for name, n in checks.most_common():
        print(f"  {n:6}  {name}")
    print(f"problems for this server: {sum(len(v) for v in problems.values())} responses, {len(problems)} kinds")
    for kind, found in sorted(problems.items()):
        _, request, response = min(found)
        print(f"  {len(found):6}  {kind}\n          shortest: {request[:400]!r}\n          {response[:400]}")


if __name__ == "__main__":
    main(sys.argv[1])
