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
    /// records they have so far).
    package func manifest() -> SampleManifest {
        let files = layout.files.enumerated().map { index, file in
            let stats = fileStats[index]
            return SampleManifest.File(
                name: file.name, app: file.app, stream: file.stream.rawValue, instance: file.instance,
                rotatedFrom: file.rotatedFrom, records: stats.records, tracedRecords: stats.tracedRecords,
                bytes: stats.bytes, firstTime: stats.records > 0 ? stats.firstTime : nil,
                lastTime: stats.records > 0 ? stats.lastTime : nil)
        }
        var all = traceStats.filter { $0.records > 0 }
        all.sort { ($0.firstTime, $0.ordinal) < ($1.firstTime, $1.ordinal) }
        let traces = all.map { stats in
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
        let records = files.reduce(0) { $0 + $1.records }
        let traced = files.reduce(0) { $0 + $1.tracedRecords }
        var shapes: [String: Int] = [:]
        for shape in RecordShape.allCases where shapeCount(shape) > 0 { shapes[shape.name] = shapeCount(shape) }
        let firsts = files.compactMap { $0.firstTime }
        let lasts = files.compactMap { $0.lastTime }
        return SampleManifest(
            generator: "tracetail-gen", seed: options.seed, format: options.format.rawValue,
            startTime: firsts.min() ?? options.start, endTime: lasts.max() ?? options.start,
            totals: SampleManifest.Totals(records: records, tracedRecords: traced, untracedRecords: records - traced, traces: traces.count,
                          bytes: files.reduce(0) { $0 + $1.bytes }, files: files.count),
            shapes: shapes, files: files, traces: traces)
    }
}

extension SampleManifest {
    /// The manifest as JSON: one file or trace a line, so it greps and diffs well, written by hand
    /// because a manifest of millions of records holds hundreds of thousands of traces.
    package func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + traces.count * 260)
        func string(_ text: String) {
            out.put(byte: UInt8(ascii: "\""))
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case ..<0x20:
                    out.put("\\u00")
                    out.put(hex: UInt64(byte), digits: 2, uppercase: false)
                default:
                    out.append(byte)
                }
            }
            out.put(byte: UInt8(ascii: "\""))
        }
        func key(_ name: String) {
            string(name)
            out.put(byte: UInt8(ascii: ":"))
        }
        func strings(_ list: [String]) {
            out.put(byte: UInt8(ascii: "["))
            for (i, item) in list.enumerated() {
                if i > 0 { out.put(byte: UInt8(ascii: ",")) }
                string(item)
            }
            out.put(byte: UInt8(ascii: "]"))
        }
        out.put("{\n")
        key("generator"); string(generator); out.put(",\n")
        key("seed"); out.append(contentsOf: String(seed).utf8); out.put(",\n")
        key("format"); string(format); out.put(",\n")
        key("start_time"); out.put(decimal: startTime); out.put(",\n")
        key("end_time"); out.put(decimal: endTime); out.put(",\n")
        key("totals")
        out.put("{\"records\":"); out.put(decimal: totals.records)
        out.put(",\"traced_records\":"); out.put(decimal: totals.tracedRecords)
        out.put(",\"untraced_records\":"); out.put(decimal: totals.untracedRecords)
        out.put(",\"traces\":"); out.put(decimal: totals.traces)
        out.put(",\"bytes\":"); out.put(decimal: totals.bytes)
        out.put(",\"files\":"); out.put(decimal: totals.files)
        out.put("},\n")
        key("shapes")
        out.put(byte: UInt8(ascii: "{"))
        for (i, name) in shapes.keys.sorted().enumerated() {
            if i > 0 { out.put(byte: UInt8(ascii: ",")) }
            key(name)
            out.put(decimal: shapes[name]!)
        }
        out.put("},\n")
        key("files")
        out.put("[\n")
        for (i, file) in files.enumerated() {
            out.put("  {")
            key("name"); string(file.name)
            out.put(","); key("app"); string(file.app)
            out.put(","); key("stream"); string(file.stream)
            out.put(","); key("instance")
            if let instance = file.instance { out.put(decimal: instance) } else { out.put("null") }
            out.put(","); key("rotated_from")
            if let from = file.rotatedFrom { string(from) } else { out.put("null") }
            out.put(","); key("records"); out.put(decimal: file.records)
            out.put(","); key("traced_records"); out.put(decimal: file.tracedRecords)
            out.put(","); key("bytes"); out.put(decimal: file.bytes)
            out.put(","); key("first_time")
            if let t = file.firstTime { out.put(decimal: t) } else { out.put("null") }
            out.put(","); key("last_time")
            if let t = file.lastTime { out.put(decimal: t) } else { out.put("null") }
            out.put(i == files.count - 1 ? "}\n" : "},\n")
        }
        out.put("],\n")
        key("traces")
        out.put("[\n")
        for (i, trace) in traces.enumerated() {
            out.put("  {")
            key("trace_id"); string(trace.traceID)
            out.put(","); key("workflow_id"); string(trace.workflowID)
            out.put(","); key("records"); out.put(decimal: trace.records)
            out.put(","); key("errors"); out.put(decimal: trace.errors)
            out.put(","); key("apps"); strings(trace.apps)
            out.put(","); key("files"); strings(trace.files)
            out.put(","); key("first_time"); out.put(decimal: trace.firstTime)
            out.put(","); key("last_time"); out.put(decimal: trace.lastTime)
            out.put(i == traces.count - 1 ? "}\n" : "},\n")
        }
        out.put("]\n}\n")
        return out
    }
}
