#!/usr/bin/env bash
# Load figures for issue 6: 64 concurrent clients asking GET /traces/<id>/logs for random known
# trace ids while the daemon ingests a live writer's records; prints errors and p50/p99 latency.
#
#   scripts/load.sh                      # defaults below
#   RECORDS=500000 RATE=20000 DURATION=30 CLIENTS=64 scripts/load.sh
#
# Builds release binaries, writes a pino log directory with tracetail-gen, serves it on
# 127.0.0.1 (a free port), waits for the initial ingest, starts `tracetail-gen --follow` on the
# same directory, runs wrk (apt-get install -y wrk; without it, a slower curl-based client) for
# DURATION seconds, prints the figures, and stops everything it started. Only 127.0.0.1 traffic.
set -euo pipefail

RECORDS=${RECORDS:-200000}       # records written before the load
RATE=${RATE:-10000}              # records/s the live writer appends during the load
DURATION=${DURATION:-20}         # seconds of load
CLIENTS=${CLIENTS:-64}           # concurrent connections
THREADS=${THREADS:-2}            # wrk threads
PACE=${PACE:-0}                  # requests/s per client (0: each client sends as fast as answers come)
KEEP=${KEEP:-0}                  # 1 keeps the work directory

cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/tracetail-load.XXXXXX)
DAEMON_PID=""; WRITER_PID=""
cleanup() {
    [ -n "$WRITER_PID" ] && kill -INT "$WRITER_PID" 2>/dev/null && wait "$WRITER_PID" 2>/dev/null || true
    [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
    if [ "$KEEP" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== building release binaries (swift build -c release)"
swift build -c release 2>&1 | grep -E "error|Compiling|Build complete" | tail -3
BIN=.build/release

echo "== writing $RECORDS pino records with tracetail-gen"
"$BIN/tracetail-gen" --out "$WORK/logs" --format pino --records "$RECORDS" --manifest "$WORK/manifest.json" | grep -E "^(records|traces|bytes):"
grep -o '"trace_id":"[^"]*"' "$WORK/manifest.json" | cut -d'"' -f4 > "$WORK/ids.txt"
echo "   $(wc -l < "$WORK/ids.txt") known trace ids"

echo "== starting tracetail serve on 127.0.0.1:0"
"$BIN/tracetail" serve --logs "$WORK/logs" --db "$WORK/db.sqlite" --listen 127.0.0.1:0 --log-level info 2> "$WORK/daemon.log" &
DAEMON_PID=$!
PORT=""
for _ in $(seq 1 600); do
    PORT=$(grep -o 'Server started and listening on 127\.0\.0\.1:[0-9]*' "$WORK/daemon.log" | head -1 | sed 's/.*://') || true
    [ -n "$PORT" ] && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$WORK/daemon.log"; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "daemon did not start"; cat "$WORK/daemon.log"; exit 1; }
URL="http://127.0.0.1:$PORT"
echo "   listening on $URL"

stored() { curl -s "$URL/stats" | grep -o '"records":[0-9]*' | cut -d: -f2; }
START=$(date +%s.%N)
while [ "$(stored)" -lt "$RECORDS" ]; do sleep 0.2; done
echo "   initial ingest: $RECORDS records in $(awk -v a="$(date +%s.%N)" -v b="$START" 'BEGIN { printf "%.1f", a - b }') s"

echo "== live writer: tracetail-gen --follow --rate $RATE (new traces, appended to the same files)"
"$BIN/tracetail-gen" --out "$WORK/logs" --format pino --follow --rate "$RATE" --seed 7 > "$WORK/writer.log" 2>&1 &
WRITER_PID=$!
sleep 2
BEFORE=$(stored); T0=$(date +%s.%N)

if ! command -v wrk > /dev/null && command -v apt-get > /dev/null; then
    echo "== wrk not found: installing it (apt-get install -y wrk, Debian package)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk) > /dev/null 2>&1 || true
fi

echo "== load: $CLIENTS clients, $DURATION s, GET /traces/<random known id>/logs"
if command -v wrk > /dev/null; then
    echo "   client: wrk ($(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2))"
    cat > "$WORK/load.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} ; math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
function request() return wrk.format("GET", "/traces/" .. ids[math.random(#ids)] .. "/logs") end
local pace = tonumber(os.getenv("PACE") or "0")
if pace > 0 then
    -- Paced clients: each waits about 1/PACE s (with jitter) between requests, like users would.
    function delay() return math.random(math.floor(500 / pace), math.floor(1500 / pace)) end
end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + count end
    end
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    local non200 = 0
    local parts = {}
    for status, count in pairs(total) do
        if status ~= 200 then non200 = non200 + count end
        table.insert(parts, status .. "=" .. count)
    end
    io.write(string.format("RESULT requests=%d duration_s=%.1f rps=%.0f statuses=%s non200=%d socket_errors=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), table.concat(parts, ","),
        non200, errors, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
    [ "$PACE" != 0 ] && echo "   paced: each client about $PACE requests/s"
    PACE="$PACE" IDS="$WORK/ids.txt" wrk -t"$THREADS" -c"$CLIENTS" -d"${DURATION}s" --timeout 5s -s "$WORK/load.lua" "$URL" > "$WORK/wrk.out"
    RESULT=$(grep '^RESULT' "$WORK/wrk.out" | sed 's/^RESULT //')
else
    echo "   client: curl (wrk not found; apt-get install -y wrk gives better figures)"
    END=$(( $(date +%s) + DURATION ))
    seq 1 "$CLIENTS" | xargs -P "$CLIENTS" -I{} bash -c '
        mapfile -t ids < "$0"
        while [ "$(date +%s)" -lt "$2" ]; do
            curl -s -o /dev/null -w "%{http_code} %{time_total}\n" "$1/traces/${ids[RANDOM % ${#ids[@]}]}/logs"
        done' "$WORK/ids.txt" "$URL" "$END" > "$WORK/curl.out"
    RESULT=$(sort -k2 -n "$WORK/curl.out" | awk -v d="$DURATION" '{ s[NR] = $2; if ($1 != 200) e++ }
        END { printf "requests=%d duration_s=%d rps=%.0f non200=%d socket_errors=0 p50_ms=%.2f p99_ms=%.2f max_ms=%.2f", NR, d, NR / d, e,
              s[int(NR * 0.5) + 1] * 1000, s[int(NR * 0.99) + 1] * 1000, s[NR] * 1000 }')
fi
AFTER=$(stored); T1=$(date +%s.%N)

kill -INT "$WRITER_PID"; wait "$WRITER_PID" 2>/dev/null || true; WRITER_PID=""
APPENDED=$(grep -o 'appended [0-9]*' "$WORK/writer.log" | cut -d' ' -f2)
sleep 1
FINAL=$(stored)
INGESTED=$(( AFTER - BEFORE ))
RATE_SEEN=$(awk -v n="$INGESTED" -v a="$T1" -v b="$T0" 'BEGIN { printf "%.0f", n / (a - b) }')

# The daemon's own view: share of trace_logs answers under 50 ms, from its latency histogram.
METRICS=$(curl -s "$URL/metrics")
COUNT=$(echo "$METRICS" | grep '^tracetail_query_duration_seconds_count{endpoint="trace_logs"}' | awk '{print $2}')
UNDER=$(echo "$METRICS" | grep '^tracetail_query_duration_seconds_bucket{endpoint="trace_logs",le="0.05"}' | awk '{print $2}')

echo
echo "== figures"
echo "   $RESULT" | tr ' ' '\n' | sed 's/^/   /' | grep -v '^ *$'
echo "   ingest during the load: $INGESTED records in $(awk -v a="$T1" -v b="$T0" 'BEGIN { printf "%.1f", a - b }') s = $RATE_SEEN records/s (writer appended $APPENDED in all; $FINAL stored at the end)"
echo "   server side: $UNDER of $COUNT trace_logs answers under 50 ms (tracetail_query_duration_seconds)"
P99=$(echo "$RESULT" | grep -o 'p99_ms=[0-9.]*' | cut -d= -f2)
ERRORS=$(( $(echo "$RESULT" | grep -o 'non200=[0-9]*' | cut -d= -f2) + $(echo "$RESULT" | grep -o 'socket_errors=[0-9]*' | cut -d= -f2) ))
if [ "$ERRORS" -eq 0 ] && awk -v p="$P99" 'BEGIN { exit !(p < 50) }'; then
    echo "   PASS: no errors, p99 $P99 ms < 50 ms"
else
    echo "   FAIL: $ERRORS errors, p99 $P99 ms (target: none, < 50 ms)"
fi
