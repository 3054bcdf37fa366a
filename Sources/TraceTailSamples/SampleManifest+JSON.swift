#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a manifest as JSON, one file or trace a line so it greps and diffs well. By hand rather
/// than with JSONEncoder: the manifest of ten million records holds hundreds of thousands of
/// traces, and the generator streams them to the file.
struct ManifestJSON {
    var out: [UInt8] = []

    mutating func string(_ text: String) {
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

    mutating func key(_ name: StaticString) {
        out.put(byte: UInt8(ascii: "\""))
        out.put(name)
        out.put("\":")
    }

    mutating func strings(_ list: [String]) {
        out.put(byte: UInt8(ascii: "["))
        for (i, item) in list.enumerated() {
            if i > 0 { out.put(byte: UInt8(ascii: ",")) }
            string(item)
        }
        out.put(byte: UInt8(ascii: "]"))
    }

    mutating func optional(_ value: Int64?) {
        if let value { out.put(decimal: value) } else { out.put("null") }
    }

    /// Everything up to the opening of the trace list.
    mutating func header(_ manifest: SampleManifest) {
        out.put("{\n")
        key("generator"); string(manifest.generator); out.put(",\n")
        key("seed"); out.append(contentsOf: String(manifest.seed).utf8); out.put(",\n")
        key("format"); string(manifest.format); out.put(",\n")
        key("start_time"); out.put(decimal: manifest.startTime); out.put(",\n")
        key("end_time"); out.put(decimal: manifest.endTime); out.put(",\n")
        let totals = manifest.totals
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
        for (i, name) in manifest.shapes.keys.sorted().enumerated() {
            if i > 0 { out.put(byte: UInt8(ascii: ",")) }
            string(name)
            out.put(byte: UInt8(ascii: ":"))
            out.put(decimal: manifest.shapes[name]!)
        }
        out.put("},\n")
        key("files")
        out.put("[\n")
        for (i, file) in manifest.files.enumerated() {
            out.put("  {")
            key("name"); string(file.name)
            out.put(","); key("app"); string(file.app)
            out.put(","); key("stream"); string(file.stream)
            out.put(","); key("instance"); optional(file.instance.map(Int64.init))
            out.put(","); key("rotated_from")
            if let from = file.rotatedFrom { string(from) } else { out.put("null") }
            out.put(","); key("records"); out.put(decimal: file.records)
            out.put(","); key("traced_records"); out.put(decimal: file.tracedRecords)
            out.put(","); key("bytes"); out.put(decimal: file.bytes)
            out.put(","); key("first_time"); optional(file.firstTime)
            out.put(","); key("last_time"); optional(file.lastTime)
            out.put(i == manifest.files.count - 1 ? "}\n" : "},\n")
        }
        out.put("],\n")
        key("traces")
        out.put("[\n")
    }

    /// `"apps":[...],"files":[...]` of a trace.
    static func appsAndFiles(apps: [String], files: [String]) -> [UInt8] {
        var writer = ManifestJSON()
        writer.key("apps"); writer.strings(apps)
        writer.out.put(",")
        writer.key("files"); writer.strings(files)
        return writer.out
    }

    mutating func trace(
        high: UInt64, low: UInt64, workflowHigh: UInt64, workflowLow: UInt64, records: Int, errors: Int,
        appsAndFiles: [UInt8], firstTime: Int64, lastTime: Int64, isLast: Bool
    ) {
        out.put("  {")
        key("trace_id")
        out.put(byte: UInt8(ascii: "\""))
        out.put(id: high, low, spelling: .hex)
        out.put("\",")
        key("workflow_id")
        out.put(byte: UInt8(ascii: "\""))
        out.put(id: workflowHigh, workflowLow, spelling: .uuid)
        out.put("\",")
        key("records"); out.put(decimal: records)
        out.put(","); key("errors"); out.put(decimal: errors)
        out.put(","); out.put(appsAndFiles)
        out.put(","); key("first_time"); out.put(decimal: firstTime)
        out.put(","); key("last_time"); out.put(decimal: lastTime)
        out.put(isLast ? "}\n" : "},\n")
    }

    mutating func footer() {
        out.put("]\n}\n")
    }
}

extension SampleManifest {
    /// The manifest as JSON (what `SampleGenerator.writeManifest(to:)` writes).
    package func jsonBytes() -> [UInt8] {
        var writer = ManifestJSON()
        writer.header(self)
        for (i, trace) in traces.enumerated() {
            let id = idHalves(trace.traceID)
            let workflow = idHalves(trace.workflowID)
            writer.trace(
                high: id.high, low: id.low, workflowHigh: workflow.high, workflowLow: workflow.low,
                records: trace.records, errors: trace.errors,
                appsAndFiles: ManifestJSON.appsAndFiles(apps: trace.apps, files: trace.files),
                firstTime: trace.firstTime, lastTime: trace.lastTime, isLast: i == traces.count - 1)
        }
        writer.footer()
        return writer.out
    }
}

/// The two halves of a 128-bit id written as hex, dashes allowed (the manifest's own ids).
private func idHalves(_ text: String) -> (high: UInt64, low: UInt64) {
    var high: UInt64 = 0
    var low: UInt64 = 0
    var digits = 0
    for byte in text.utf8 {
        guard let nibble = hexValue(byte) else { continue }
        if digits < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
        digits += 1
    }
    return (high, low)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

extension SampleGenerator {
    /// Streams the manifest of everything produced so far to `path`, a trace at a time: memory
    /// stays small however many traces there are. Same bytes as `manifest().jsonBytes()`.
    package func writeManifest(to path: String) throws(SampleError) {
        guard let handle = fopen(path, "wb") else { throw .cannotOpen(path: path, errno: errno) }
        defer { fclose(handle) }
        func write(_ bytes: inout [UInt8]) throws(SampleError) {
            let count = bytes.count
            let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, count, handle) }
            guard written == count else { throw .cannotWrite(path: path, errno: errno) }
            bytes.removeAll(keepingCapacity: true)
        }
        let traces = writtenTraces()
        var writer = ManifestJSON()
        writer.out.reserveCapacity(1 << 20)
        writer.header(manifestHeader(files: manifestFiles(), traceCount: traces.count))
        // Many traces touch the same set of files: render each set once.
        var fragments: [UInt64: [UInt8]] = [:]
        for (i, stats) in traces.enumerated() {
            let fragment: [UInt8]
            if let known = fragments[stats.fileMask] {
                fragment = known
            } else {
                var names: [String] = []
                var apps = Set<String>()
                for (index, file) in layout.files.enumerated() where stats.fileMask & (1 << UInt64(index)) != 0 {
                    names.append(file.name)
                    apps.insert(file.app)
                }
                fragment = ManifestJSON.appsAndFiles(apps: apps.sorted(), files: names.sorted())
                fragments[stats.fileMask] = fragment
            }
            writer.trace(
                high: stats.high, low: stats.low, workflowHigh: stats.workflowHigh, workflowLow: stats.workflowLow,
                records: stats.records, errors: stats.errors, appsAndFiles: fragment,
                firstTime: stats.firstTime, lastTime: stats.lastTime, isLast: i == traces.count - 1)
            if writer.out.count >= 1 << 20 { try write(&writer.out) }
        }
        writer.footer()
        try write(&writer.out)
    }
}
