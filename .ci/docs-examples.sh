#!/usr/bin/env bash
# Runs the examples of docs/guide/*.md as a reader would, each guide against its own real server
# on a fresh directory holding the repository's data/ (the README's are run by
# readme-examples.sh). Per guide: `qingdan serve` on a free port, `QINGDAN_URL` and `PORT`
# exported, a free `WALK_PORT` for a guide that starts a rehearsal server of its own; every `sh`
# block in order in one shell (`set -euo pipefail`: a failing command fails CI); every `graphql`
# block POSTed with an ADMIN token made for the run. A block preceded by
# `<!-- not run: REASON -->` is skipped, and its reason printed. Any answer holding "errors"
# fails the run.
#   QINGDAN_BIN   the server binary (default: cargo build, then target/debug/qingdan)
set -euo pipefail
source "$(dirname "$0")/examples-bin.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

status=0
for guide in docs/guide/*.md; do
  WORK=$(mktemp -d)
  ln -s "$REPO/data" "$WORK/data"
  PORT=$(free_port)
  WALK_PORT=$(free_port)
  python3 - "$REPO/$guide" "$PORT" >"$WORK/examples.sh" <<'PY'
import json, re, sys
guide, port = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
out = [
    "set -euo pipefail",
    "qingdan serve --bind 127.0.0.1:$PORT >server.log 2>&1 & SERVER=$!",
    "trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT",
    "for _ in $(seq 1 100); do curl -fsS $QINGDAN_URL/readyz >/dev/null 2>&1 && break; sleep 0.2; done",
    "DOCS_TOKEN=$(qingdan token create --role admin --label docs | tail -n1)",
]
pattern = re.compile(r"(<!-- not run: (.*?) -->\n)?```(sh|graphql)\n(.*?)```", re.S)
for n, m in enumerate(pattern.finditer(guide), 1):
    skip, reason, lang, body = m.group(1), m.group(2), m.group(3), m.group(4)
    if skip:
        out.append(f"echo {json.dumps(f'-- example {n} ({lang}) not run: {reason}')}")
        continue
    out.append(f"echo '-- example {n} ({lang})'")
    if lang == "graphql":
        payload = json.dumps({"query": body})
        out.append(
            "curl -fsS $QINGDAN_URL/graphql -H 'content-type: application/json' "
            f"-H \"authorization: Bearer $DOCS_TOKEN\" -d {json.dumps(payload)}; echo"
        )
    else:
        out.append(body)
print("\n".join(out))
PY
  echo "== $guide"
  set +e
  (cd "$WORK" && PATH="$BIN_DIR:$PATH" PORT=$PORT QINGDAN_URL=http://127.0.0.1:$PORT WALK_PORT=$WALK_PORT \
    bash examples.sh >transcript.txt 2>&1)
  rc=$?
  set -e
  cat "$WORK/transcript.txt"
  if [[ $rc -ne 0 ]]; then
    echo "$guide: its examples failed (exit $rc); the server's log:"; cat "$WORK/server.log" 2>/dev/null || true
    status=1
  elif grep -n '"errors"' "$WORK/transcript.txt"; then
    echo "$guide: an answer above holds errors"
    status=1
  fi
  rm -rf "$WORK"
done
rm -rf "$BIN_DIR"
if [[ $status -ne 0 ]]; then exit 1; fi
echo "docs examples: every guide's blocks ran"
