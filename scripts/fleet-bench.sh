#!/usr/bin/env bash
# The fleet's figures, measured as a user runs it: three hosts' log directories written by
# tracetail-gen (pure pino, RECORDS records each), three `tracetail serve --ship-to` daemons and a
# query node on a private PostgreSQL cluster (initdb in a temporary directory; as the postgres user
# under root). Prints, from the same run: local ingest rate and shipping rate (records/s), the
# query node's lookup p50/p99 over 200 traces (curl, sequential), and PostgreSQL's size against
# the local stores'.
#
#   swift build -c release && scripts/fleet-bench.sh [RECORDS per host, default 1000000] [BUILD dir]
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
build=${2:-.build/release}
bin=$build/tracetail
gen=$build/tracetail-gen
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/tracetail-fleet-bench.XXXXXX)
chmod 755 "$work"
runas=()
[ "$(id -u)" = 0 ] && { chown postgres "$work"; runas=(runuser -u postgres --); }
port=$((20000 + RANDOM % 20000))
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "${runas[@]}" "$pgbin/pg_ctl" -D "$work/pg" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }

"${runas[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
"${runas[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -o "-p $port -h 127.0.0.1 -k $work" start -w >/dev/null
"$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE fleet"
url="postgres://postgres@127.0.0.1:$port/fleet"

for i in 1 2 3; do
  "$gen" --out "$work/h$i/logs" --records "$records" --format pino --seed "$i" >/dev/null
done
raw=$(du -cb "$work"/h*/logs | tail -1 | cut -f1)

"$bin" serve --store "$url" --listen 127.0.0.1:7590 --log-level warning 2>"$work/node.log" &
pids+=($!)
sleep 2
start=$(now)
for i in 1 2 3; do
  "$bin" serve --logs "$work/h$i/logs" --db "$work/h$i/db.sqlite" --listen 127.0.0.1:759$i \
    --ship-to "$url" --host-name "api-$i" --log-level warning 2>"$work/h$i.log" &
  pids+=($!)
done
total=$((records * 3))
ingested_at=""
shipped_at=""
while [ -z "$shipped_at" ]; do
  sleep 0.5
  local_sum=0
  for i in 1 2 3; do
    n=$(curl -sf "127.0.0.1:759$i/stats" | json records || echo 0)
    local_sum=$((local_sum + n))
  done
  central=$(curl -sf 127.0.0.1:7590/stats | json records || echo 0)
  [ -z "$ingested_at" ] && [ "$local_sum" -ge "$total" ] && ingested_at=$(now)
  [ "$central" -ge "$total" ] && shipped_at=$(now)
done
python3 - "$start" "$ingested_at" "$shipped_at" "$total" <<'PY'
import sys
start, ingested, shipped, total = map(float, sys.argv[1:])
print(f"records: {int(total)} from 3 hosts")
print(f"local ingest:  {total / (ingested - start):,.0f} records/s ({ingested - start:.1f} s, 3 daemons at once)")
print(f"shipped to PG: {total / (shipped - start):,.0f} records/s (all of them in PostgreSQL {shipped - start:.1f} s after the start, {shipped - ingested:.1f} s after local ingest)")
PY

curl -sf "127.0.0.1:7590/traces?limit=200" | python3 -c "import json,sys; [print(t['trace_id']) for t in json.load(sys.stdin)['traces']]" >"$work/ids"
for id in $(cat "$work/ids"); do
  curl -s -o /dev/null -w '%{time_total}\n' "127.0.0.1:7590/traces/$id/logs?limit=10000"
done >"$work/times"
python3 - "$work/times" <<'PY'
import sys
t = sorted(float(x) * 1000 for x in open(sys.argv[1]))
print(f"central lookup (/traces/{{id}}/logs, {len(t)} traces): p50 {t[len(t)//2]:.1f} ms, p99 {t[min(len(t)-1, int(len(t)*0.99))]:.1f} ms")
PY

for pid in "${pids[@]:1}"; do kill "$pid"; done
sleep 3
local_bytes=$(du -cb "$work"/h*/db.sqlite* | tail -1 | cut -f1)
pg_bytes=$("$pgbin/psql" -X -A -t -h 127.0.0.1 -p "$port" -U postgres -d fleet -c \
  "SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE relkind = 'r' AND relname LIKE 'tracetail%'")
psql() { "$pgbin/psql" -X -A -t -h 127.0.0.1 -p "$port" -U postgres -d fleet -c "$1"; }
breakdown() {
  psql "SELECT string_agg(k || ' ' || round(b / 1e6, 1) || ' MB', ', ' ORDER BY k) FROM (
          SELECT CASE WHEN relname LIKE 'tracetail_blocks%' THEN 'blocks (with TOAST)'
                      WHEN relname LIKE 'tracetail_postings%' THEN 'postings'
                      WHEN relname = 'tracetail_traces' THEN 'trace summaries' ELSE 'other' END AS k,
                 sum(pg_total_relation_size(oid)) AS b
          FROM pg_class WHERE relkind = 'r' AND relname LIKE 'tracetail%' GROUP BY 1) t"
}
python3 - "$raw" "$local_bytes" "$pg_bytes" <<'PY'
import sys
raw, local, pg = map(int, sys.argv[1:])
print(f"size: logs {raw/1e6:.1f} MB, local stores {local/1e6:.1f} MB, PostgreSQL tables {pg/1e6:.1f} MB ({pg/local:.2f}x the local stores)")
PY
echo "  as shipped: $(breakdown)"
echo "  trace summary updates: $(psql "SELECT n_tup_ins || ' inserted, ' || n_tup_upd || ' updated (' || n_tup_hot_upd || ' HOT), ' || n_dead_tup || ' dead' FROM pg_stat_user_tables WHERE relname = 'tracetail_traces'")"
# The open blocks' earlier versions are dead rows until vacuumed: the size once they are gone.
psql "VACUUM FULL" >/dev/null
full=$(psql "SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE relkind = 'r' AND relname LIKE 'tracetail%'")
python3 - "$local_bytes" "$full" <<'PY'
import sys
local, pg = map(int, sys.argv[1:])
print(f"after VACUUM FULL: PostgreSQL tables {pg/1e6:.1f} MB ({pg/local:.2f}x the local stores)")
PY
echo "  after VACUUM FULL: $(breakdown)"
