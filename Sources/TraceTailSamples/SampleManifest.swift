import TraceTailCore

/// The ground truth of a generated directory: what every file and every trace holds. Tests and
/// benchmarks check the store against it. Counts are of logical records (a pino-pretty block, a
/// wrapped util.inspect object or a stack trace is one record).
package struct SampleManifest: Codable, Sendable, Equatable {
    package struct Totals: Codable, Sendable, Equatable {
        package var records: Int
        package var tracedRecords: Int
        package var untracedRecords: Int
        package var traces: Int
        package var bytes: Int64
        package var files: Int

        enum CodingKeys: String, CodingKey {
            case records, traces, bytes, files
            case tracedRecords = "traced_records"
            case untracedRecords = "untraced_records"
        }
    }

    package struct File: Codable, Sendable, Equatable {
        package var name: String
        package var app: String
        package var stream: String
        package var instance: Int?
        package var rotatedFrom: String?
        package var records: Int
        package var tracedRecords: Int
        package var bytes: Int64
        package var firstTime: Int64?
        package var lastTime: Int64?

        enum CodingKeys: String, CodingKey {
            case name, app, stream, instance, records, bytes
            case rotatedFrom = "rotated_from"
            case tracedRecords = "traced_records"
            case firstTime = "first_time"
            case lastTime = "last_time"
        }
    }

    package struct Trace: Codable, Sendable, Equatable {
        /// Canonical: 32 lowercase hex characters.
        package var traceID: String
        /// Lowercase UUID with dashes.
        package var workflowID: String
        package var records: Int
        /// Records at level error or above.
        package var errors: Int
        package var apps: [String]
        package var files: [String]
        package var firstTime: Int64
        package var lastTime: Int64

        enum CodingKeys: String, CodingKey {
            case records, errors, apps, files
            case traceID = "trace_id"
            case workflowID = "workflow_id"
            case firstTime = "first_time"
            case lastTime = "last_time"
        }
    }

    package var generator: String
    package var seed: UInt64
    package var format: String
    /// Epoch milliseconds of the first and last record.
    package var startTime: Int64
    package var endTime: Int64
    package var totals: Totals
    /// Records per shape (`pino`, `pino-pretty`, `inspect-wrapped`, ...).
    package var shapes: [String: Int]
    package var files: [File]
    /// In order of each trace's first record.
    package var traces: [Trace]

    enum CodingKeys: String, CodingKey {
        case generator, seed, format, totals, shapes, files, traces
        case startTime = "start_time"
        case endTime = "end_time"
    }

    package func trace(_ canonicalID: String) -> Trace? {
        traces.first { $0.traceID == canonicalID }
    }
}

extension SampleGenerator {
    /// The manifest of everything produced so far (traces still in flight included, with the
    /// records they have so far). For millions of records, `writeManifest(to:)` needs far less
    /// memory.
    package func manifest() -> SampleManifest {
        let files = manifestFiles()
        let traces = writtenTraces().map { stats in
            var names: [String] = []
            var apps = Set<String>()
            for (index, file) in layout.files.enumerated() where stats.fileMask & (1 << UInt64(index)) != 0 {
                names.append(file.name)
                apps.insert(file.app)
            }
            return SampleManifest.Trace(
                traceID: HexID.format(stats.high) + HexID.format(stats.low),
                workflowID: HexID.uuidString(high: stats.workflowHigh, low: stats.workflowLow),
                records: stats.records, errors: stats.errors, apps: apps.sorted(), files: names.sorted(),
                firstTime: stats.firstTime, lastTime: stats.lastTime)
        }
        var manifest = manifestHeader(files: files, traceCount: traces.count)
        manifest.traces = traces
        return manifest
    }

    /// The per-file entries of the manifest.
    func manifestFiles() -> [SampleManifest.File] {
        layout.files.enumerated().map { index, file in
            let stats = fileStats[index]
            return SampleManifest.File(
                name: file.name, app: file.app, stream: file.stream.rawValue, instance: file.instance,
                rotatedFrom: file.rotatedFrom, records: stats.records, tracedRecords: stats.tracedRecords,
                bytes: stats.bytes, firstTime: stats.records > 0 ? stats.firstTime : nil,
                lastTime: stats.records > 0 ? stats.lastTime : nil)
        }
    }

    /// Traces with at least one record, in order of their first record.
    func writtenTraces() -> [TraceStats] {
        var all = traceStats.filter { $0.records > 0 }
        all.sort { ($0.firstTime, $0.ordinal) < ($1.firstTime, $1.ordinal) }
        return all
    }

    /// Everything but the traces.
    func manifestHeader(files: [SampleManifest.File], traceCount: Int) -> SampleManifest {
        let records = files.reduce(0) { $0 + $1.records }
        let traced = files.reduce(0) { $0 + $1.tracedRecords }
        var shapes: [String: Int] = [:]
        for shape in RecordShape.allCases where shapeCount(shape) > 0 { shapes[shape.name] = shapeCount(shape) }
        let firsts = files.compactMap { $0.firstTime }
        let lasts = files.compactMap { $0.lastTime }
        return SampleManifest(
            generator: "tracetail-gen", seed: options.seed, format: options.format.rawValue,
            startTime: firsts.min() ?? options.start, endTime: lasts.max() ?? options.start,
            totals: SampleManifest.Totals(records: records, tracedRecords: traced, untracedRecords: records - traced, traces: traceCount,
                          bytes: files.reduce(0) { $0 + $1.bytes }, files: files.count),
            shapes: shapes, files: files, traces: [])
    }
}
