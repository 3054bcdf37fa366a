/// The keys the parser looks for, matched ignoring ASCII case and the separators `_ . -`, so
/// `trace_id`, `traceId`, `trace.id` and `TRACE-ID` are one key. `x-trace-id` is not (`xtraceid`).
package enum FieldKey: UInt8, Sendable {
    case traceID, spanID, parentSpanID, workflowID, taskID, traceparent
    /// A trace id a request header carried (`x-trace-id`, `X-B3-TraceId`): the record is found by
    /// it too, but it is the record's own trace id only when the record has no other.
    case headerTraceID
    case level, time, ts, timestamp, msg, message, err
    /// `loglevel`, `lvl`, `severity`: a level under another name, read when `level` is not one.
    case levelAlias
    /// `trace`, `span` and `id`: ECS writes ids as `{"trace":{"id":...},"span":{"id":...}}`; an `id`
    /// directly inside a `trace` or `span` object is that id (see `LooseObjectScanner`).
    case traceObject, spanObject, id

    /// How an epoch number under this key is read (see `FieldValues.EpochUnit`).
    package var epochUnit: FieldValues.EpochUnit { self == .ts ? .seconds : .milliseconds }

    private static func pack(_ s: StaticString) -> (UInt64, UInt64) {
        var a: UInt64 = 0
        var b: UInt64 = 0
        let p = s.utf8Start
        for k in 0..<s.utf8CodeUnitCount {
            if k < 8 { a |= UInt64(p[k]) << UInt64(8 * k) } else { b |= UInt64(p[k]) << UInt64(8 * (k - 8)) }
        }
        return (a, b)
    }

    private static let table: [(UInt64, UInt64, FieldKey)] = [
        ("traceid", .traceID), ("spanid", .spanID), ("parentspanid", .parentSpanID), ("parentid", .parentSpanID),
        ("workflowid", .workflowID), ("taskid", .taskID), ("traceparent", .traceparent),
        ("xtraceid", .headerTraceID), ("xb3traceid", .headerTraceID),
        ("level", .level), ("loglevel", .levelAlias), ("lvl", .levelAlias), ("severity", .levelAlias), ("time", .time), ("ts", .ts), ("timestamp", .timestamp),
        ("msg", .msg), ("message", .message), ("err", .err), ("error", .err),
        ("trace", .traceObject), ("span", .spanObject), ("id", .id),
    ].map { (name: StaticString, key: FieldKey) in
        let (a, b) = pack(name)
        return (a, b, key)
    }

    /// The table by the folded key's length: a key is compared with the few names of its length.
    private static let byLength: [[(UInt64, UInt64, FieldKey)]] = {
        var buckets = [[(UInt64, UInt64, FieldKey)]](repeating: [], count: 17)
        func bytes(_ word: UInt64) -> Int {
            (0..<8).filter { (word >> UInt64(8 * $0)) & 0xFF != 0 }.count
        }
        for entry in table {
            buckets[bytes(entry.0) + bytes(entry.1)].append(entry)
        }
        return buckets
    }()

    /// Classifies the key `b[start..<end]` (the bytes between its quotes, or a bare key).
    @inline(__always)
    package static func classify(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> FieldKey? {
        let n = end - start
        guard n >= 2, n <= 24 else { return nil }
        var a: UInt64 = 0
        var c: UInt64 = 0
        var k = 0
        for i in start..<end {
            let byte = b[i]
            // `@timestamp` (Elastic Common Schema, logstash) is `timestamp`.
            if byte == UInt8(ascii: "@") && i == start { continue }
            if byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") { continue }
            // Digits only for `X-B3-TraceId`; lower-casing (| 0x20) leaves them as they are.
            guard ByteClass.isAlpha(byte) || ByteClass.isDigit(byte), k < 16 else { return nil }
            let l = UInt64(byte | 0x20)
            if k < 8 { a |= l << UInt64(8 * k) } else { c |= l << UInt64(8 * (k - 8)) }
            k += 1
        }
        guard k < byLength.count else { return nil }
        for entry in byLength[k] where entry.0 == a && entry.1 == c { return entry.2 }
        return nil
    }
}
