#!/usr/bin/env bash
# Operator scenarios against the release build: two writers, a taken port, a directory that
# vanishes, a file replaced by git checkout, a truncated .gz copy, damaged blocks, a full disk,
# thousands of idle connections, odd clocks, scattered timestamps and retention order. Prints,
# per scenario, what was written and what the API returns; the last line is `N passed, M failed`.
# Usage: scripts/torture.sh [scenario ...]   (names as printed; none: all)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product tracetail >/dev/null
exec python3 scripts/torture.py "$@"
