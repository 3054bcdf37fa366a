import Metrics
import TraceTailCore

/// The tailer's figures in swift-metrics (Prometheus through the executable's bootstrap): per
/// file, records and bytes read, truncations, rotations, bytes skipped, records cut short, how
/// many bytes are not read yet (`lag`) and read but waiting for a line end (`pending`); `.gz`
/// copies found damaged; and the commit latency.
///
/// Series are per followed file. When a file is let go (deleted, a rotated copy read to its end)
/// its series are removed and what they counted is added to the series of its app labelled
/// `file="(retired)"`, so the number of series follows the files present, not every file ever
/// seen, and per-app sums never go down.
final class TailerMetrics {
    static let retiredLabel = "(retired)"
    let factory: any MetricsFactory
    private var exported: [Int64: FileCounters] = [:]
    /// The labels each file's series were created with.
    private var labels: [Int64: [(String, String)]] = [:]
    /// The gauges' last values per file: an idle file's are not recorded again (each record is a
    /// registry lookup by label and dimensions, and the daemon updates every file it polls).
    private var gauges: [Int64: (lag: Int64, pending: Int64)] = [:]
    let commits: CommitMetrics

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.commits = CommitMetrics(factory: factory)
    }

    private static let counterLabels = [
        "tracetail_file_records_total", "tracetail_file_bytes_read_total", "tracetail_file_truncations_total",
        "tracetail_file_rotations_total", "tracetail_file_bytes_skipped_total", "tracetail_file_records_truncated_total",
    ]
    private static let gaugeLabels = ["tracetail_file_lag_bytes", "tracetail_file_pending_bytes"]

    private static func values(_ counters: FileCounters) -> [Int64] {
        [counters.records, counters.bytesRead, counters.truncations, counters.rotations, counters.bytesSkipped, counters.linesTruncated]
    }

    private func add(_ counters: FileCounters, minus before: FileCounters, dimensions: [(String, String)]) {
        for (label, (now, then)) in zip(Self.counterLabels, zip(Self.values(counters), Self.values(before))) where now > then {
            Counter(label: label, dimensions: dimensions, factory: factory).increment(by: now - then)
        }
    }

    /// Adds what the counters gained since the last call. `size`: the file's size now, if known.
    func update(_ file: TrackedFile, size: Int64?) {
        let id = file.state.id
        let dimensions = labels[id] ?? [("file", file.state.path), ("app", file.state.app)]
        labels[id] = dimensions
        add(file.counters, minus: exported[id] ?? FileCounters(), dimensions: dimensions)
        if let size, !file.compressed {
            // Not read yet, and read but not stored (a last line waiting for its `\n`).
            let read = file.assembler.readOffset
            let lag = max(0, size - read)
            let pending = max(0, min(size, read) - file.assembler.committedOffset)
            if gauges[id]?.lag != lag {
                Gauge(label: "tracetail_file_lag_bytes", dimensions: dimensions, factory: factory).record(lag)
            }
            if gauges[id]?.pending != pending {
                Gauge(label: "tracetail_file_pending_bytes", dimensions: dimensions, factory: factory).record(pending)
            }
            gauges[id] = (lag, pending)
        }
        exported[id] = file.counters
    }

    /// A file was let go: its series go, their counts move to its app's `(retired)` series.
    func retire(_ state: FileState) {
        let id = state.id
        guard let dimensions = labels[id] else { return }
        var counters = exported[id] ?? FileCounters()
        add(state.counters, minus: counters, dimensions: dimensions)
        counters = larger(counters, state.counters)
        add(counters, minus: FileCounters(), dimensions: [("file", Self.retiredLabel), ("app", state.app)])
        for label in Self.counterLabels { Counter(label: label, dimensions: dimensions, factory: factory).destroy() }
        for label in Self.gaugeLabels { Gauge(label: label, dimensions: dimensions, factory: factory).destroy() }
        exported[id] = nil
        labels[id] = nil
        gauges[id] = nil
    }

    /// A `.gz` copy was found cut short or damaged (and not read).
    func damagedCopy(app: String) {
        Counter(label: "tracetail_compressed_copies_damaged_total", dimensions: [("app", app)], factory: factory).increment()
    }

    private func larger(_ a: FileCounters, _ b: FileCounters) -> FileCounters {
        var out = a
        out.records = Swift.max(a.records, b.records)
        out.bytesRead = Swift.max(a.bytesRead, b.bytesRead)
        out.truncations = Swift.max(a.truncations, b.truncations)
        out.rotations = Swift.max(a.rotations, b.rotations)
        out.bytesSkipped = Swift.max(a.bytesSkipped, b.bytesSkipped)
        out.linesTruncated = Swift.max(a.linesTruncated, b.linesTruncated)
        return out
    }
}

/// Commit latency and volume; used from the commit's own task.
struct CommitMetrics: Sendable {
    let duration: Timer
    let records: Counter

    init(factory: any MetricsFactory) {
        duration = Timer(label: "tracetail_commit_duration", factory: factory)
        records = Counter(label: "tracetail_committed_records_total", factory: factory)
    }

    func committed(records count: Int, nanoseconds: Int64) {
        duration.recordNanoseconds(nanoseconds)
        records.increment(by: count)
    }
}
