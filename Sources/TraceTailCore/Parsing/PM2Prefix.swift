/// PM2's `--time` / `log_date_format` line prefix: `<date>: ` (`2026-07-02T10:00:00: `, or a custom
/// format with spaces, dots, slashes or a numeric zone). The separator is always `": "`.
package enum PM2Prefix {
    /// Longest date part considered.
    static let maximumDateLength = 40

    /// The length of the prefix at `start`, separator included, or nil. The date part must start with
    /// a digit, hold at least eight digits, and consist only of digits and `-:.,/+ TZ`.
    package static func length(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard start < end, ByteClass.isDigit(b[start]) else { return nil }
        var digitCount = 0
        var i = start
        let limit = min(end - 1, start + maximumDateLength)
        while i < limit {
            let c = b[i]
            if ByteClass.isDigit(c) {
                digitCount += 1
            } else if c == UInt8(ascii: ":") {
                if b[i + 1] == UInt8(ascii: " ") {
                    return digitCount >= 8 ? i + 2 - start : nil
                }
            } else if !(c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: " ") || c == UInt8(ascii: "T") || c == UInt8(ascii: "Z"))
            {
                return nil
            }
            i += 1
        }
        return nil
    }

    /// The prefix's time in ms since the epoch; zone-less dates are local time `localUTCOffsetSeconds`
    /// east of UTC. `prefixLength` includes the `": "` separator.
    package static func time(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, prefixLength: Int, localUTCOffsetSeconds: Int) -> Int64? {
        DateTimeParser.parse(b, start, start + prefixLength - 2)?.utc(localUTCOffsetSeconds: localUTCOffsetSeconds)
    }

    /// Whether `b[at...]` holds a prefix shaped like the one at `b[shape..<shape+length]`: the same
    /// bytes, except that any digit matches any digit. Used to find the prefixes PM2's cluster mode
    /// leaves inside a line (`T: abcT: def`) and the per-line prefixes of fork mode.
    @inline(__always)
    package static func matchesShape(_ b: UnsafeBufferPointer<UInt8>, at: Int, end: Int, shape: Int, length: Int) -> Bool {
        guard at + length <= end else { return false }
        for k in 0..<length {
            let s = b[shape + k]
            let c = b[at + k]
            if ByteClass.isDigit(s) {
                if !ByteClass.isDigit(c) { return false }
            } else if s != c {
                return false
            }
        }
        return true
    }

    /// Copies `b[start..<end]` without the prefix at `start` (of `length` bytes) and without every
    /// later prefix of the same shape, wherever it sits (the start of a continuation line in fork
    /// mode, or the middle of a line in cluster mode).
    package static func stripAll(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, length: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(end - start)
        var i = start + length
        var runStart = i
        while i < end {
            if ByteClass.isDigit(b[i]) && matchesShape(b, at: i, end: end, shape: start, length: length) {
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i])) }
                i += length
                runStart = i
            } else {
                i += 1
            }
        }
        if runStart < end { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<end])) }
        return out
    }
}
