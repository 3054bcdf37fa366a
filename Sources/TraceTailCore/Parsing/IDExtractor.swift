/// Turns the id candidates a scan found into validated ids. Hex ids of the usual lengths are parsed
/// straight from the buffer; anything else goes through the id types' own initialisers, which
/// reject all-zero, malformed and broken-hex values.
package enum IDExtractor {
    /// Whether a candidate can be an id at all: not an object, not empty, not absurdly long, and not
    /// a bare `null`, `true`, `false`, `undefined` or `NaN`.
    @inline(__always)
    private static func plausible(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> Bool {
        guard ref.end > ref.start, ref.end - ref.start <= TraceID.maximumOpaqueLength * 2, ref.kind != .object else { return false }
        if ref.kind == .bare {
            for word: StaticString in ["null", "true", "false", "undefined", "nan"] where ByteClass.equalsFolded(b, ref.start, ref.end, word) {
                return false
            }
        }
        return true
    }

    /// The candidate's text as bytes (decoded when it held escapes).
    private static func bytes(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> [UInt8] {
        var out = [UInt8]()
        if ref.kind == .escapedString {
            TextCleaner.unescape(b, ref.start, ref.end, into: &out)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[ref.start..<ref.end]))
        }
        return out
    }

    @inline(__always)
    private static func hex64(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> UInt64? {
        var v: UInt64 = 0
        for i in start..<start + 16 {
            guard let n = HexID.nibble(b[i]) else { return nil }
            v = v << 4 | UInt64(n)
        }
        return v
    }

    /// 32 hex digits, or a UUID with dashes, at `b[start..<end]`.
    @inline(__always)
    private static func hex128(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (UInt64, UInt64)? {
        if end - start == 32 {
            guard let high = hex64(b, start), let low = hex64(b, start + 16) else { return nil }
            return (high, low)
        }
        guard end - start == 36, b[start + 8] == UInt8(ascii: "-"), b[start + 13] == UInt8(ascii: "-"),
              b[start + 18] == UInt8(ascii: "-"), b[start + 23] == UInt8(ascii: "-")
        else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var k = 0
        for i in start..<end where i != start + 8 && i != start + 13 && i != start + 18 && i != start + 23 {
            guard let n = HexID.nibble(b[i]) else { return nil }
            if k < 16 { high = high << 4 | UInt64(n) } else { low = low << 4 | UInt64(n) }
            k += 1
        }
        return (high, low)
    }

    package static func traceID(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> TraceID? {
        if ref.kind != .escapedString, let (high, low) = hex128(b, ref.start, ref.end) {
            return high == 0 && low == 0 ? nil : .bits(high: high, low: low)
        }
        guard plausible(b, ref) else { return nil }
        return TraceID(String(decoding: bytes(b, ref), as: UTF8.self))
    }

    package static func spanID(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> SpanID? {
        if ref.kind != .escapedString, ref.end - ref.start == 16, let value = hex64(b, ref.start) {
            return value == 0 ? nil : .bits(value)
        }
        guard plausible(b, ref) else { return nil }
        return SpanID(String(decoding: bytes(b, ref), as: UTF8.self))
    }

    package static func businessID(_ kind: BusinessID.Kind, _ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> BusinessID? {
        guard plausible(b, ref) else { return nil }
        return BusinessID(kind, String(decoding: bytes(b, ref), as: UTF8.self))
    }

    /// A W3C `traceparent`: `vv-<32 hex>-<16 hex>-<2 hex>`, optionally followed by `-...` in versions
    /// after 00. Version `ff`, all-zero ids and malformed values give nil. Returns the trace id and the
    /// span id it carries, which is the parent of the span that logged it.
    package static func traceparent(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (TraceID, SpanID)? {
        guard end - start >= 55, let version = hexByte(b, start), version != 0xFF else { return nil }
        guard b[start + 2] == UInt8(ascii: "-"), b[start + 35] == UInt8(ascii: "-"), b[start + 52] == UInt8(ascii: "-"),
              let (high, low) = hex128(b, start + 3, start + 35), high != 0 || low != 0,
              let span = hex64(b, start + 36), span != 0, hexByte(b, start + 53) != nil
        else { return nil }
        if end - start > 55 {
            guard version != 0, b[start + 55] == UInt8(ascii: "-") else { return nil }
        }
        return (.bits(high: high, low: low), .bits(span))
    }

    package static func traceparent(_ text: String) -> (TraceID, SpanID)? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { traceparent(UnsafeBufferPointer($0), 0, $0.count) }
    }

    @inline(__always)
    private static func hexByte(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt8? {
        guard let h = HexID.nibble(b[i]), let l = HexID.nibble(b[i + 1]) else { return nil }
        return h << 4 | l
    }

    /// Fills the id fields of `fields` from the collector's candidates. An explicit trace id wins over
    /// a `traceparent` at the same or a deeper level; an explicit parent span id wins over the one a
    /// `traceparent` implies.
    package static func apply(_ c: FieldCollector, _ b: UnsafeBufferPointer<UInt8>, to fields: inout RecordFields) {
        var parsedParent: (TraceID, SpanID)? = nil
        if let tp = c.traceparent, tp.kind == .string || tp.kind == .bare {
            parsedParent = traceparent(b, tp.start, tp.end)
        }
        if let ref = c.traceID, c.traceparent == nil || parsedParent == nil || ref.depth <= c.traceparent!.depth {
            fields.traceID = traceID(b, ref)
        }
        if fields.traceID == nil, let parsedParent { fields.traceID = parsedParent.0 }
        // Other trace ids: the losers above, header values, a traceparent naming another trace.
        // With no trace id of its own, the record's own is the first of them.
        if c.otherTraceIDs.0 != nil || c.traceparent != nil {
            for ref in [c.traceID, c.otherTraceIDs.0, c.otherTraceIDs.1] {
                guard let ref, let other = traceID(b, ref) else { continue }
                fields.addTraceID(other)
            }
            if let parsedParent { fields.addTraceID(parsedParent.0) }
        }
        if let ref = c.spanID { fields.spanID = spanID(b, ref) }
        if let ref = c.parentSpanID { fields.parentSpanID = spanID(b, ref) }
        if fields.parentSpanID == nil, let parsedParent, parsedParent.0 == fields.traceID { fields.parentSpanID = parsedParent.1 }
        if let ref = c.workflowID { fields.workflowID = businessID(.workflow, b, ref) }
        if let ref = c.taskID { fields.taskID = businessID(.task, b, ref) }
    }
}
