#!/usr/bin/env bash
# The targets' import rules (docs/architecture.md): each target may import only what is listed
# here. Above all, only TraceTailStore (and the executable that wires it in) sees GRDB and SQL:
# the tailer, the HTTP layer and the query layer reach storage through the LogStore protocol.
# Exits 1 naming every file that imports something its target may not.
set -euo pipefail
cd "$(dirname "$0")/.."

platform="Glibc Musl Darwin Dispatch Synchronization"
declare -A allowed=(
  [TraceTailCore]="CZlib CLibDeflate $platform"
  [TraceTailStore]="TraceTailCore GRDB GRDBSQLite Logging Foundation $platform"
  [TraceTailTailer]="TraceTailCore Logging Metrics ServiceLifecycle $platform"
  [TraceTailQuery]="TraceTailCore $platform"
  [TraceTailHTTP]="TraceTailCore TraceTailQuery Hummingbird HummingbirdCore NIOCore NIOHTTP1 NIOHTTPTypes NIOHTTPTypesHTTP1 NIOConcurrencyHelpers Logging Metrics ServiceLifecycle $platform"
  [TraceTailPostgres]="TraceTailCore PostgresNIO Logging $platform"
  [TraceTailSamples]="TraceTailCore $platform"
  [TraceTailAppDatabase]="TraceTailCore TraceTailQuery PostgresNIO Logging $platform"
  [tracetail]="TraceTailCore TraceTailStore TraceTailTailer TraceTailQuery TraceTailHTTP TraceTailAppDatabase TraceTailPostgres ArgumentParser Configuration SystemPackage Foundation Hummingbird Logging Metrics Prometheus ServiceLifecycle UnixSignals Yams $platform"
  [tracetail-gen]="TraceTailSamples TraceTailCore ArgumentParser Foundation $platform"
  [tracetail-bench]="TraceTailCore TraceTailStore TraceTailQuery Logging ArgumentParser Foundation $platform"
)

status=0
for dir in Sources/*/; do
  target=$(basename "$dir")
  [ "$target" = CZlib ] && continue
  [ "$target" = CLibDeflate ] && continue
  if [ -z "${allowed[$target]+set}" ]; then
    echo "check-imports: target $target has no import rule in scripts/check-imports.sh" >&2
    status=1
    continue
  fi
  while IFS=: read -r file module; do
    case " ${allowed[$target]} " in
      *" $module "*) ;;
      *) echo "check-imports: $file imports $module, which $target may not (docs/architecture.md)" >&2; status=1 ;;
    esac
  done < <(grep -rHoE '^[[:space:]]*(@[A-Za-z_][A-Za-z0-9_]*(\([^)]*\))? )*import (struct |class |enum |protocol |func |typealias )?[A-Za-z_][A-Za-z0-9_]*' "$dir" --include='*.swift' \
             | sed -E 's/^([^:]+):.*import (struct |class |enum |protocol |func |typealias )?([A-Za-z_][A-Za-z0-9_]*)$/\1:\3/')
done
[ $status -eq 0 ] && echo "check-imports: every target imports only what docs/architecture.md allows"
exit $status
