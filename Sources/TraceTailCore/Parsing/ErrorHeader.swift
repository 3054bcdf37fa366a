/// The first line of a printed JavaScript error, `TypeError: Cannot read ...` or
/// `HttpException: Forbidden` (a name ending in `Error` or `Exception`, `: `, a message), and the rule
/// that joins such a stack to the line logged just before it when it repeats that line's message.
package enum ErrorHeader {
    /// Shortest message that ties a stack to the line before it: shorter ones (`Error: no`) repeat by
    /// chance.
    static let minimumMessageLength = 4
    /// Bytes of a message looked for in the line before (its start).
    static let comparedBytes = 64

    /// The message of an error header at `b[start..<end]` (a line's content, after any PM2 prefix),
    /// trimmed; nil when the line is not an error header.
    package static func message(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int>? {
        guard start < end, ByteClass.isAlpha(b[start]) else { return nil }
        var i = start + 1
        while i < end, ByteClass.isWord(b[i]) || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "$") { i += 1 }
        guard i + 1 < end, b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: " ") else { return nil }
        guard endsWith(b, start, i, "Error") || endsWith(b, start, i, "Exception") else { return nil }
        let m = ByteClass.trimStart(b, i + 2, end)
        let e = ByteClass.trimEnd(b, m, end)
        return e - m >= minimumMessageLength ? m..<e : nil
    }

    /// Whether `line` (a whole line, PM2 prefix and all) is an error header whose message appears in
    /// the first line of `record`, outside quotes: `logger.error(msg, err.stack)` writing the stack after the line
    /// that logged it, or winston `printf()` putting `${stack}` after its own line.
    package static func repeatsFirstLine(_ line: [UInt8], of record: [UInt8]) -> Bool {
        line.withUnsafeBufferPointer { l -> Bool in
            let start = PM2Prefix.length(l, 0, l.count) ?? 0
            guard let m = message(l, start, ByteClass.trimEnd(l, start, l.count)) else { return false }
            return record.withUnsafeBufferPointer { r -> Bool in
                let firstEnd = ByteClass.find(0x0A, r, 0, r.count)
                let firstStart = PM2Prefix.length(r, 0, firstEnd) ?? 0
                return contains(r, firstStart, firstEnd, l, m)
            }
        }
    }

    /// Whether `needle[range]` occurs in `b[start..<end]` outside double quotes. Inside quotes it is a
    /// structured line's field (logfmt `err="TypeError: ..."`): such loggers keep the stack in the
    /// record, so a stack after the line was written apart (an uncaught exception, say).
    static func contains(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ needle: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        // The message's first `comparedBytes` only: the search compares up to that many bytes at
        // each place, and a whole message of half a megabyte against a line of a megabyte that
        // repeats its first byte was 2.5 * 10^11 comparisons, the tailer stalled for minutes on
        // two lines (found by a read-only review). 64 bytes of a message repeated are plenty.
        let n = min(range.count, Self.comparedBytes)
        guard n > 0, end - start >= n else { return false }
        let first = needle[range.lowerBound]
        var quoted = false
        var i = start
        while i <= end - n {
            if b[i] == UInt8(ascii: "\"") && (i == start || b[i - 1] != UInt8(ascii: "\\")) { quoted.toggle() }
            if !quoted && b[i] == first {
                var k = 1
                while k < n && b[i + k] == needle[range.lowerBound + k] { k += 1 }
                if k == n { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always)
    private static func endsWith(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - start >= n else { return false }
        return ByteClass.hasPrefix(b, end - n, end, literal)
    }
}
