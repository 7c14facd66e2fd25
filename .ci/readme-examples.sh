#!/usr/bin/env bash
# Runs the README's examples as a new user would, against a real server on a free port: every
# `sh` block in order, in one shell (`set -euo pipefail`: a failing command fails CI), from a fresh
# directory holding the repository's data/; `qingdan` is the binary just built (the `cargo
# install` line is skipped: it would build it again in release), and `qingdan serve` runs in the
# background until the examples end. Every `graphql` block is POSTed to the server too. Any
# answer holding "errors" fails the run.
#   QINGDAN_BIN   the server binary (default: cargo build, then target/debug/qingdan)
set -euo pipefail
source "$(dirname "$0")/examples-bin.sh"

WORK=$(mktemp -d)
ln -s "$REPO/data" "$WORK/data"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The examples as one script: the server started in the background, waited for, stopped at the end.
python3 - "$REPO/README.md" "$PORT" >"$WORK/examples.sh" <<'PY'
import json, re, sys
readme, port = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
out = ["set -euo pipefail", "trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT"]
blocks = re.findall(r"```(sh|graphql)\n(.*?)```", readme, re.S)
for n, (lang, body) in enumerate(blocks, 1):
    body = body.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("PORT=8000", f"PORT={port}")
    out.append(f"echo '-- README example {n} ({lang})'")
    if lang == "graphql":
        payload = json.dumps({"query": body})
        out.append(f"curl -fsS http://127.0.0.1:{port}/graphql -H 'content-type: application/json' -d {json.dumps(payload)}; echo")
        continue
    for line in body.splitlines():
        if line.startswith("cargo install"):
            out.append(f"echo 'skipped: {line.split('#')[0].strip()}'")
        elif line.startswith("qingdan serve"):
            out.append(line.split("#")[0].strip() + " >server.log 2>&1 & SERVER=$!")
            out.append(f"for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:{port}/readyz >/dev/null 2>&1 && break; sleep 0.2; done")
        else:
            out.append(line)
print("\n".join(out))
PY

cd "$WORK"
set +e
PATH="$BIN_DIR:$PATH" bash examples.sh >transcript.txt 2>&1
status=$?
set -e
cat transcript.txt
if [[ $status -ne 0 ]]; then
  echo "README examples failed (exit $status); the server's log:"; cat server.log 2>/dev/null || true
  exit 1
fi
if grep -n '"errors"' transcript.txt; then
  echo "an answer above holds errors"
  exit 1
fi
echo "README examples: every block ran"
rm -rf "$WORK" "$BIN_DIR"
