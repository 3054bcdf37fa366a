/// pino-pretty records: `[<time>] <LEVEL> (<name>/<pid>): <msg>` (the parenthesised part optional),
/// then `    key: value` lines whose values are indented JSON. With `singleLine` the keys follow the
/// message as one JSON object. Works on text whose ANSI colours were already removed.
package enum PrettyRecordParser {
    /// Parses the record in `b[start..<end]`; nil when its first line is not a pino-pretty header.
    package static func parse(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, referenceTime: Int64, localUTCOffsetSeconds: Int
    ) -> RecordFields? {
        guard start < end, b[start] == UInt8(ascii: "[") else { return nil }
        let lineEnd = ByteClass.find(0x0A, b, start, end)
        let close = ByteClass.find(UInt8(ascii: "]"), b, start + 1, min(lineEnd, start + 48))
        guard close < lineEnd, close + 2 < lineEnd, b[close + 1] == UInt8(ascii: " ") else { return nil }
        // The level word.
        let levelStart = close + 2
        var i = levelStart
        while i < lineEnd && ByteClass.isUpper(b[i]) { i += 1 }
        let levelEnd = i
        guard levelEnd - levelStart >= 4 else { return nil }
        let level = levelWord(b, levelStart, levelEnd)
        guard level != nil || ByteClass.hasPrefix(b, levelStart, levelEnd, "USERLVL") else { return nil }
        // ` (name/pid on host)`, then `:`.
        if i + 1 < lineEnd && b[i] == UInt8(ascii: " ") && b[i + 1] == UInt8(ascii: "(") {
            let paren = ByteClass.find(UInt8(ascii: ")"), b, i + 2, lineEnd)
            guard paren < lineEnd else { return nil }
            i = paren + 1
        }
        guard i < lineEnd, b[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        if i < lineEnd && b[i] == UInt8(ascii: " ") { i += 1 }
        let lineContentEnd = ByteClass.trimEnd(b, i, lineEnd)

        var fields = RecordFields(message: "", format: .pinoPretty)
        fields.level = level
        fields.time = time(b, start + 1, close, referenceTime: referenceTime, localUTCOffsetSeconds: localUTCOffsetSeconds)

        var collector = FieldCollector()
        var messageEnd = lineContentEnd
        if lineContentEnd > i && b[lineContentEnd - 1] == UInt8(ascii: "}"), let objectStart = trailingObject(b, i, lineContentEnd) {
            LooseObjectScanner.scan(b, objectStart, lineContentEnd, initialDepth: -1, into: &collector)
            messageEnd = ByteClass.trimEnd(b, i, objectStart)
        }
        // A multi-line message continues at column 0 up to the first indented key line.
        var bodyStart = lineEnd
        while bodyStart < end, bodyStart + 1 < end, !ByteClass.isSpace(b[bodyStart + 1]) {
            let next = ByteClass.find(0x0A, b, bodyStart + 1, end)
            messageEnd = ByteClass.trimEnd(b, bodyStart + 1, next)
            bodyStart = next
        }
        if bodyStart < end {
            LooseObjectScanner.scan(b, bodyStart + 1, end, initialDepth: 0, into: &collector)
        }
        fields.message = TextCleaner.text(b, i, messageEnd)
        IDExtractor.apply(collector, b, to: &fields)
        return fields
    }

    private static func levelWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> LogLevel? {
        if ByteClass.equalsFolded(b, start, end, "trace") { return .trace }
        if ByteClass.equalsFolded(b, start, end, "debug") { return .debug }
        if ByteClass.equalsFolded(b, start, end, "info") { return .info }
        if ByteClass.equalsFolded(b, start, end, "warn") { return .warn }
        if ByteClass.equalsFolded(b, start, end, "error") { return .error }
        if ByteClass.equalsFolded(b, start, end, "fatal") { return .fatal }
        return nil
    }

    /// The header's time: a full date (`SYS:standard`, ISO), epoch ms, or a time of day
    /// (`HH:MM:ss.l`, local) placed on the local day of `referenceTime`, or the day before when that
    /// would put it more than 12 hours after the reference.
    package static func time(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, referenceTime: Int64, localUTCOffsetSeconds: Int) -> Int64? {
        let offsetMillis = Int64(localUTCOffsetSeconds) * 1000
        if let parsed = DateTimeParser.parse(b, start, end) { return parsed.utc(localUTCOffsetSeconds: localUTCOffsetSeconds) }
        if let epoch = FieldValues.epochNumber(b, start, end), end - start >= 10 { return epoch }
        guard let (tod, next) = DateTimeParser.timeOfDay(b, start, end), next == end else { return nil }
        let day: Int64 = 86_400_000
        let localReference = referenceTime + offsetMillis
        let dayStart = localReference - ((localReference % day) + day) % day
        var t = dayStart + tod - offsetMillis
        if t > referenceTime + day / 2 { t -= day }
        return t
    }

    /// Where a trailing JSON object (`... msg {"k":"v"}`) begins: the first `{` at the start or after a
    /// space whose braces balance exactly up to `end`.
    private static func trailingObject(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        var tries = 0
        while i < end && tries < 8 {
            if b[i] == UInt8(ascii: "{") && (i == start || b[i - 1] == UInt8(ascii: " ")) {
                if balancedObject(b, i, end) { return i }
                tries += 1
            }
            i += 1
        }
        return nil
    }

    /// Whether `b[start..<end]` is one brace-balanced object (string-aware).
    package static func balancedObject(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var depth = 0
        var i = start
        var inString = false
        while i < end {
            let c = b[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i == end - 1 }
                if depth < 0 { return false }
            }
            i += 1
        }
        return false
    }
}
