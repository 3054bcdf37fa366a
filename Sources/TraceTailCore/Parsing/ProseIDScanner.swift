/// Ids written in prose rather than as fields: `[traceId: d41f8a2c-...]` or `traceId: d41f...` in a
/// NestJS or hand-written line, and a W3C `traceparent` value anywhere in a message
/// (`forwarding upstream with traceparent: 00-<trace>-<span>-01`).
package enum ProseIDScanner {
    /// Finds `<id key>: <value>` in text: the key one of the id keys (`traceId`, `trace_id`,
    /// `spanId`, `workflowId`, `taskId`, ... in any of their spellings) at the start of a word, the
    /// value running to a space, `]`, `)`, `,` or `;`.
    package static func scan(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into c: inout FieldCollector) {
        var i = start
        while i < end {
            guard ByteClass.isAlpha(b[i]), i == start || !isKeyByte(b[i - 1]) else {
                i += 1
                continue
            }
            var j = i + 1
            while j < end && isKeyByte(b[j]) { j += 1 }
            guard j < end, b[j] == UInt8(ascii: ":"), let key = FieldKey.classify(b, i, j), isIDKey(key) else {
                i = j
                continue
            }
            var k = j + 1
            while k < end && b[k] == UInt8(ascii: " ") { k += 1 }
            var valueStart = k
            while k < end && !ByteClass.isWhite(b[k]) && !isValueEnd(b[k]) { k += 1 }
            // Not the sentence's punctuation or the value's quotes (`traceId: T.`, `traceId: "T"`):
            // with them the value was an opaque id no lookup by T finds, or no id at all.
            var valueEnd = k
            while valueStart < valueEnd, isQuote(b[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isTrailing(b[valueEnd - 1]) { valueEnd -= 1 }
            if valueEnd > valueStart {
                c.value(key, ValueRef(start: valueStart, end: valueEnd, depth: 0, kind: .bare), container: nil)
            }
            i = k
        }
    }

    /// The first W3C `traceparent` value in `b[start..<end]` standing as a word of its own: its
    /// trace id and the span id it carries (the parent of the span that wrote it).
    package static func traceparent(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (TraceID, SpanID)? {
        var i = start
        while i + 55 <= end {
            if b[i + 2] == UInt8(ascii: "-"), b[i + 35] == UInt8(ascii: "-"), b[i + 52] == UInt8(ascii: "-"),
               i == start || !isKeyByte(b[i - 1]), i + 55 == end || !isKeyByte(b[i + 55]) || endsSentence(b, i + 55, end),
               let found = IDExtractor.traceparent(b, i, i + 55)
            {
                return found
            }
            i += 1
        }
        return nil
    }

    /// Fills a record's missing trace id (and parent span id) from a traceparent in its message.
    package static func applyTraceparent(inMessage fields: inout RecordFields) {
        guard fields.traceID == nil, fields.message.utf8.count >= 55 else { return }
        var message = fields.message
        let found = message.withUTF8 { traceparent($0, 0, $0.count) }
        guard let (trace, parent) = found else { return }
        fields.traceID = trace
        if fields.parentSpanID == nil { fields.parentSpanID = parent }
    }

    @inline(__always)
    private static func isKeyByte(_ c: UInt8) -> Bool {
        ByteClass.isWord(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    @inline(__always)
    private static func isValueEnd(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "]") || c == UInt8(ascii: ")") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";")
    }

    /// A sentence's punctuation (`.`, `:`, `!`, `?`, a quote) right after a value, then the end or
    /// a space: `... traceparent 00-<t>-<s>-01.`
    @inline(__always)
    private static func endsSentence(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        isTrailing(b[i]) && (i + 1 == end || ByteClass.isWhite(b[i + 1]))
    }

    @inline(__always)
    private static func isQuote(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`")
    }

    @inline(__always)
    private static func isTrailing(_ c: UInt8) -> Bool {
        isQuote(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?")
    }

    @inline(__always)
    private static func isIDKey(_ key: FieldKey) -> Bool {
        switch key {
        case .traceID, .spanID, .parentSpanID, .workflowID, .taskID: true
        default: false
        }
    }
}
