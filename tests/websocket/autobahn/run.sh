#!/usr/bin/env bash
# Run the Autobahn|Testsuite fuzzingclient (every section, compression included)
# against tests/websocket/autobahn/echo_server.py on our pywsgi, and summarise.
#
#   bash tests/websocket/autobahn/run.sh [CASES]     e.g. CASES='["1.*","12.1.*"]'
#
# Autobahn|Testsuite 0.8.2 runs on Python 2.7 only. The script makes a py2.7
# virtualenv in $AB_VENV (default /tmp/ab27) from pyenv's 2.7.18 (or $PY27) the
# first time, with autobahntestsuite==0.8.2 from the package index. It uses the
# Python 3 on PATH (the project's venv) for the server. Reports go to
# $AB_OUT (default /tmp/autobahn-reports); the summary to stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
AB_VENV="${AB_VENV:-/tmp/ab27}"
AB_OUT="${AB_OUT:-/tmp/autobahn-reports}"
PORT="${PORT:-9001}"
PY27="${PY27:-$(pyenv root 2>/dev/null)/versions/2.7.18/bin/python}"
PYTHON="${PYTHON:-python}"

if [ ! -x "$AB_VENV/bin/wstest" ]; then
    "$PY27" -m pip install -q 'virtualenv<20.22'
    "$PY27" -m virtualenv -q "$AB_VENV"
    "$AB_VENV/bin/pip" install -q 'autobahntestsuite==0.8.2'
fi

mkdir -p "$AB_OUT"
config="$AB_OUT/fuzzingclient.json"
cases="${1:-[\"*\"]}"
sed -e "s|\"./reports\"|\"$AB_OUT\"|" -e "s|9001|$PORT|" -e "s|\\[\"\\*\"\\]|$cases|" \
    "$here/fuzzingclient.json" > "$config"

"$PYTHON" "$here/echo_server.py" "$PORT" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
    sleep 0.1
done

(cd "$AB_OUT" && "$AB_VENV/bin/wstest" -m fuzzingclient -s "$config" > wstest.log 2>&1)
"$PYTHON" "$here/summarize.py" "$AB_OUT/index.json"
