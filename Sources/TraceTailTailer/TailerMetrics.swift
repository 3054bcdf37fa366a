import Metrics
import TraceTailCore

/// The tailer's figures in swift-metrics (Prometheus through the executable's bootstrap): per
/// file, records and bytes read, truncations, rotations, bytes skipped, records cut short, and how
/// far the saved position is behind the file's end; and the commit latency.
final class TailerMetrics {
    private var exported: [Int64: FileCounters] = [:]
    let commits = CommitMetrics()

    /// Adds what the counters gained since the last call.
    func update(_ file: TrackedFile, size: Int64?) {
        let id = file.state.id
        let now = file.counters
        let before = exported[id] ?? FileCounters()
        let dimensions = [("file", file.state.path), ("app", file.state.app)]
        func add(_ label: String, _ delta: Int64) {
            if delta > 0 { Counter(label: label, dimensions: dimensions).increment(by: delta) }
        }
        add("tracetail_file_records_total", now.records - before.records)
        add("tracetail_file_bytes_read_total", now.bytesRead - before.bytesRead)
        add("tracetail_file_truncations_total", now.truncations - before.truncations)
        add("tracetail_file_rotations_total", now.rotations - before.rotations)
        add("tracetail_file_bytes_skipped_total", now.bytesSkipped - before.bytesSkipped)
        add("tracetail_file_records_truncated_total", now.linesTruncated - before.linesTruncated)
        if let size {
            Gauge(label: "tracetail_file_lag_bytes", dimensions: dimensions).record(max(0, size - file.state.offset))
        }
        exported[id] = now
    }

}

/// Commit latency and volume; used from the commit's own task.
struct CommitMetrics: Sendable {
    let duration = Timer(label: "tracetail_commit_duration")
    let records = Counter(label: "tracetail_committed_records_total")

    func committed(records count: Int, nanoseconds: Int64) {
        duration.recordNanoseconds(nanoseconds)
        records.increment(by: count)
    }
}
