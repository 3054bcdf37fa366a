import TraceTailCore

/// What the stored records of one id (a workflow, a task, a trace) say, summed up for the
/// findings: counts, time range, the trace and span ids they carry, records without a trace id
/// per app, and incoming trace headers they logged.
package struct LogEvidence: Sendable {
    package var records = 0
    /// Records at error level or above (`StoredRecord.isError`).
    package var errors = 0
    package var firstTime: Int64?
    package var lastTime: Int64?
    /// Trace ids carried, most records first (then by first appearance), with their records.
    package var traces: [(key: IDKey, records: Int)] = []
    /// Span ids carried, in order of first appearance.
    package var spans: [IDKey] = []
    /// Span ids named as parents by the records.
    package var parentSpans: Set<IDKey> = []
    /// The first record that carries a span id: the span the id's own work runs in, and its parent.
    package var firstSpan: (span: IDKey, parent: IDKey?)?
    /// Records without a trace id, per app (app order).
    package var untracedByApp: [(app: String, records: Int)] = []
    /// Incoming trace ids logged from request headers, once each.
    package var incoming: [IncomingTrace] = []
    /// True when the id has more records than were read; the figures cover the first ones.
    package var truncated = false

    package init() {}

    /// Sums up records (in time order, as the store gives them).
    package init(_ records: [StoredRecord], truncated: Bool = false) {
        self.truncated = truncated
        var traceCounts: [IDKey: Int] = [:]
        var traceOrder: [IDKey] = []
        var seenSpans = Set<IDKey>()
        var untraced: [String: Int] = [:]
        var seenIncoming = Set<String>()
        for stored in records {
            let record = stored.record
            self.records += 1
            if stored.isError { errors += 1 }
            firstTime = min(firstTime ?? record.time, record.time)
            lastTime = max(lastTime ?? record.time, record.time)
            if let trace = record.trace {
                if traceCounts[trace] == nil { traceOrder.append(trace) }
                traceCounts[trace, default: 0] += 1
            } else {
                untraced[stored.file.app, default: 0] += 1
            }
            if let span = record.span {
                if seenSpans.insert(span).inserted { spans.append(span) }
                if firstSpan == nil { firstSpan = (span: span, parent: record.parentSpan) }
            }
            if let parent = record.parentSpan { parentSpans.insert(parent) }
            var scanned = IncomingTrace.scan(record.raw)
            // Other trace ids the parser found (RecordFields.otherTraceIDs) that no header names.
            for other in record.otherTraces where !scanned.contains(where: { $0.trace.key == other }) {
                if let trace = TraceID(key: other) { scanned.append((header: "other", trace: trace)) }
            }
            for header in scanned {
                let found = IncomingTrace(header: header.header, trace: header.trace, app: stored.file.app, recordTrace: record.trace)
                if seenIncoming.insert("\(found.header) \(found.trace.canonical) \(found.app)").inserted { incoming.append(found) }
            }
        }
        let order = Dictionary(uniqueKeysWithValues: traceOrder.enumerated().map { ($1, $0) })
        traces = traceCounts.map { (key: $0.key, records: $0.value) }.sorted {
            $0.records != $1.records ? $0.records > $1.records : order[$0.key]! < order[$1.key]!
        }
        untracedByApp = untraced.sorted { $0.key < $1.key }.map { (app: $0.key, records: $0.value) }
    }

    /// The trace id most of the records carry.
    package var mainTrace: IDKey? { traces.first?.key }

    package var traceIDs: [String] { traces.compactMap { TraceID(key: $0.key)?.canonical } }
    package var spanIDs: [String] { spans.compactMap { SpanID(key: $0)?.canonical } }

    package func carries(trace key: IDKey) -> Bool { traces.contains { $0.key == key } }
}

/// A trace id a record logged from an incoming request's headers (`x-trace-id`, `traceparent`),
/// whatever trace id the record itself carries.
package struct IncomingTrace: Sendable, Equatable {
    /// `x-trace-id`, `x-b3-traceid` or `traceparent`; `other` for another trace id the parser
    /// found in the record that no header names.
    package var header: String
    package var trace: TraceID
    package var app: String
    /// The trace id the record that logged it carries.
    package var recordTrace: IDKey?

    /// Header names looked for, lower case; `_` stands for `-` too.
    static let headers = ["x-trace-id", "x-b3-traceid", "traceparent"]

    /// Finds `x-trace-id` and `traceparent` keys in a record's text (JSON, util.inspect, logfmt,
    /// pretty) and reads the value after them. A traceparent's trace id is its second field.
    package static func scan(_ raw: [UInt8]) -> [(header: String, trace: TraceID)] {
        var found: [(header: String, trace: TraceID)] = []
        for header in headers {
            let needle = Array(header.utf8)
            var start = 0
            while let at = find(needle, in: raw, from: start) {
                start = at + needle.count
                guard let value = value(in: raw, after: start) else { continue }
                let trace: TraceID?
                if header == "traceparent" {
                    let parts = value.split(separator: "-")
                    trace = parts.count == 4 && parts[1].count == 32 ? TraceID(parts[1]) : nil
                } else {
                    trace = TraceID(value)
                }
                if let trace { found.append((header: header, trace: trace)) }
            }
        }
        return found
    }

    /// The next occurrence of `needle` (ASCII case-insensitive, `_` matching `-`), as a whole key:
    /// not preceded by a letter, digit or `-`.
    private static func find(_ needle: [UInt8], in raw: [UInt8], from start: Int) -> Int? {
        guard raw.count >= needle.count, start <= raw.count - needle.count else { return nil }
        var i = start
        while i <= raw.count - needle.count {
            var match = true
            for j in 0..<needle.count {
                var byte = raw[i + j]
                if byte >= 65 && byte <= 90 { byte += 32 }
                if byte == UInt8(ascii: "_") { byte = UInt8(ascii: "-") }
                if byte != needle[j] {
                    match = false
                    break
                }
            }
            if match, i == 0 || !isIDByte(raw[i - 1]) { return i }
            i += 1
        }
        return nil
    }

    /// The value after a key: past quotes, spaces, `:` or `=`, up to the first byte that cannot be
    /// in an id. Nil when no separator follows (the word was prose, not a key).
    private static func value(in raw: [UInt8], after start: Int) -> Substring? {
        var i = start
        var separated = false
        while i < raw.count, [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "\\")].contains(raw[i]) {
            if raw[i] == UInt8(ascii: ":") || raw[i] == UInt8(ascii: "=") { separated = true }
            i += 1
        }
        guard separated else { return nil }
        var end = i
        while end < raw.count, end - i < 200, isIDByte(raw[end]) { end += 1 }
        guard end > i else { return nil }
        let value = String(decoding: raw[i..<end], as: UTF8.self)
        // What loggers print for a header that was not sent.
        guard !["null", "undefined", "none", "nil", "true", "false"].contains(value.lowercased()) else { return nil }
        return Substring(value)
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
