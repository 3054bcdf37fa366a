/// Records that are neither JSON nor pino-pretty: `console.log` text with a util.inspect object
/// (`msg { key: 'v' }`, or wrapped over several lines), logfmt, stack traces and Node's crash banner,
/// and plain text. Works on text whose ANSI colours were already removed.
package enum TextRecordParser {
    package static func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, localUTCOffsetSeconds: Int) -> RecordFields {
        let lineEnd = ByteClass.find(0x0A, b, start, end)
        let firstEnd = ByteClass.trimEnd(b, start, lineEnd)

        // util.inspect: text, then an object opening on the first line.
        if let open = inspectObjectStart(b, start, firstEnd) {
            var collector = FieldCollector()
            LooseObjectScanner.scan(b, open, end, initialDepth: -1, into: &collector)
            if collector.topLevelKeys > 0 {
                var fields = RecordFields(message: TextCleaner.text(b, start, ByteClass.trimEnd(b, start, open)), format: .inspect)
                IDExtractor.apply(collector, b, to: &fields)
                return fields
            }
        }

        // logfmt, or ids written as pairs inside text.
        var collector = FieldCollector()
        let pairs = LogfmtScanner.scan(b, start, firstEnd, into: &collector)
        if pairs.pairs >= 2 && pairs.firstTokenIsPair {
            var fields = RecordFields(message: "", format: .logfmt)
            FieldValues.apply(collector, b, localUTCOffsetSeconds: localUTCOffsetSeconds, to: &fields)
            if collector.msg == nil && collector.message == nil { fields.message = TextCleaner.text(b, start, firstEnd) }
            IDExtractor.apply(collector, b, to: &fields)
            return fields
        }

        var fields: RecordFields
        if let errorLine = stackErrorLine(b, start, end) {
            // A logged line with its error's stack after it (the stack's message repeats the line):
            // the line is the message.
            let logged = errorLine.lowerBound > start && ErrorHeader.message(b, errorLine.lowerBound, errorLine.upperBound)
                .map { ErrorHeader.contains(b, start, firstEnd, b, $0) } == true
            let messageLine = logged ? start..<firstEnd : errorLine
            fields = RecordFields(message: TextCleaner.text(b, messageLine.lowerBound, messageLine.upperBound), format: .stackTrace)
            fields.level = .error
            // winston `printf()` with `${stack} ${JSON.stringify(meta)}`: the meta object after the
            // last frame.
            if let open = trailingObjectStart(b, errorLine.upperBound, end) {
                var meta = FieldCollector()
                LooseObjectScanner.scan(b, open, end, initialDepth: -1, into: &meta)
                if meta.topLevelKeys > 0 { IDExtractor.apply(meta, b, to: &fields) }
            }
            // `console.error(err)` prints the error's own properties after its frames: `at ... {`,
            // `  traceId: '...'`, `}`.
            if let open = propertyBlockStart(b, errorLine.upperBound, end) {
                var properties = FieldCollector()
                LooseObjectScanner.scan(b, open, end, initialDepth: -1, into: &properties)
                IDExtractor.apply(properties, b, to: &fields)
                if fields.traceID != nil || fields.spanID != nil || fields.workflowID != nil || fields.taskID != nil { return fields }
            }
        } else {
            fields = RecordFields(message: TextCleaner.text(b, start, ByteClass.trimEnd(b, start, end)), format: .text)
        }
        // Ids written in prose: `[traceId: ...]`, `traceId: ...` (NestJS and hand-written lines).
        ProseIDScanner.scan(b, start, firstEnd, into: &collector)
        IDExtractor.apply(collector, b, to: &fields)
        return fields
    }

    /// The `{` of an inspect object on the first line: after a space (or at the start), followed by a
    /// space, a quote or the line end.
    private static func inspectObjectStart(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end {
            if b[i] == UInt8(ascii: "{") && (i == start || b[i - 1] == UInt8(ascii: " ")) {
                if i + 1 == end || b[i + 1] == UInt8(ascii: " ") || b[i + 1] == UInt8(ascii: "\"") { return i }
            }
            i += 1
        }
        return nil
    }

    /// The `{` ending the first line (after `start`) that ends with one: where an error's own
    /// properties begin in Node's printout.
    private static func propertyBlockStart(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var lineStart = start
        while lineStart < end {
            let lineEnd = ByteClass.find(0x0A, b, lineStart, end)
            let trimmed = ByteClass.trimEnd(b, lineStart, lineEnd)
            if trimmed > lineStart && b[trimmed - 1] == UInt8(ascii: "{") { return trimmed - 1 }
            lineStart = lineEnd + 1
        }
        return nil
    }

    /// The `{` of a JSON object closing the record's last line (`    at f (x.js:1:2) {"trace_id":...}`):
    /// the first `{"` on that line at its start or after a space, when the line ends with `}`.
    private static func trailingObjectStart(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        let e = ByteClass.trimEnd(b, start, end)
        guard e > start, b[e - 1] == UInt8(ascii: "}") else { return nil }
        var lineStart = e - 1
        while lineStart > start && b[lineStart - 1] != 0x0A { lineStart -= 1 }
        var i = lineStart
        while i + 1 < e {
            if b[i] == UInt8(ascii: "{"), b[i + 1] == UInt8(ascii: "\""), i == lineStart || ByteClass.isSpace(b[i - 1]) { return i }
            i += 1
        }
        return nil
    }

    /// For a record with stack frames (`    at ...`), the line that names the error: the last
    /// non-blank line at column 0 before the first frame.
    private static func stackErrorLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int>? {
        var lineStart = start
        var candidate: Range<Int>? = nil
        while lineStart < end {
            let lineEnd = ByteClass.find(0x0A, b, lineStart, end)
            let content = ByteClass.trimStart(b, lineStart, lineEnd)
            if content > lineStart && ByteClass.hasPrefix(b, content, lineEnd, "at ") {
                return candidate
            }
            let trimmed = ByteClass.trimEnd(b, lineStart, lineEnd)
            if content == lineStart && trimmed > lineStart { candidate = lineStart..<trimmed }
            lineStart = lineEnd + 1
        }
        return nil
    }
}
