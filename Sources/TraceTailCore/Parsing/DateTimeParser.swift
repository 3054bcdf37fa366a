/// Parses the date and time spellings PM2, pino and pino-pretty write, without Foundation:
/// `2026-07-02T10:00:00`, `2026-07-02T10:00:00.123Z`, `2026-07-02 10:00:00.197 +0000`,
/// `2026-07-02 10:00:00 +02:00`, and times of day `10:00:00.197`.
package enum DateTimeParser {
    package struct Parsed: Equatable, Sendable {
        /// Milliseconds since the epoch, read as UTC when `zoned` is false.
        package var milliseconds: Int64
        package var zoned: Bool

        /// The time in UTC, a zone-less one read as local time `localUTCOffsetSeconds` east of
        /// UTC; nil when that leaves the years RFC 3339 can write (`Timestamp.writable`:
        /// `9999-12-31T23:30:00` on a host five hours west of UTC).
        package func utc(localUTCOffsetSeconds: Int) -> Int64? {
            let millis = zoned ? milliseconds : milliseconds - Int64(localUTCOffsetSeconds) * 1000
            return Timestamp.writable.contains(millis) ? millis : nil
        }
    }

    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
    @inline(__always)
    package static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        Timestamp.days(year: year, month: month, day: day)
    }

    /// Reads `n` digits at `i`.
    @inline(__always)
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int, _ end: Int) -> Int64? {
        guard i + n <= end else { return nil }
        return ByteClass.integer(b, i, i + n)
    }

    /// A full date and time: `YYYY-MM-DD` or `YYYY/MM/DD`, `T` or a space, `HH:mm[:ss[.fff]]`, then an
    /// optional zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`), possibly after a space. Nothing may follow.
    package static func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Parsed? {
        var i = start
        guard let year = digits(b, i, 4, end) else { return nil }
        i += 4
        guard i < end, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "/") else { return nil }
        i += 1
        guard let month = digits(b, i, 2, end), (1...12).contains(month) else { return nil }
        i += 2
        guard i < end, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "/") else { return nil }
        i += 1
        guard let day = digits(b, i, 2, end), (1...31).contains(day) else { return nil }
        i += 2
        var ms = daysFromCivil(year: year, month: month, day: day) * 86_400_000
        if i == end { return Parsed(milliseconds: ms, zoned: false) }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else { return nil }
        i += 1
        guard let (tod, next) = timeOfDay(b, i, end) else { return nil }
        ms += tod
        i = next
        if i < end && b[i] == UInt8(ascii: " ") { i += 1 }
        if i == end { return Parsed(milliseconds: ms, zoned: false) }
        // A zone may move a time at either end of the four-digit years out of them
        // (`0000-01-01T00:00:00+01:00` is in the year -1): not a time RFC 3339 can write back.
        guard let offset = zone(b, i, end), Timestamp.writable.contains(ms - offset * 1000) else { return nil }
        return Parsed(milliseconds: ms - offset * 1000, zoned: true)
    }

    /// `HH:mm[:ss[.f...]]` at `start`: milliseconds into the day and the index after it.
    package static func timeOfDay(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int64, Int)? {
        var i = start
        guard let hour = digits(b, i, 2, end), hour < 24 else { return nil }
        i += 2
        guard i < end, b[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let minute = digits(b, i, 2, end), minute < 60 else { return nil }
        i += 2
        var second: Int64 = 0
        var millis: Int64 = 0
        if i + 2 < end, b[i] == UInt8(ascii: ":"), ByteClass.isDigit(b[i + 1]) {
            guard let s = digits(b, i + 1, 2, end), s < 61 else { return nil }
            second = s
            i += 3
            if i + 1 < end, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ","), ByteClass.isDigit(b[i + 1]) {
                i += 1
                var scale: Int64 = 100
                while i < end, ByteClass.isDigit(b[i]) {
                    millis += Int64(b[i] &- 0x30) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        return (((hour * 60 + minute) * 60 + second) * 1000 + millis, i)
    }

    /// A zone designator filling `start..<end`: seconds east of UTC.
    private static func zone(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        if end - start == 1 && (b[start] == UInt8(ascii: "Z") || b[start] == UInt8(ascii: "z")) { return 0 }
        if ByteClass.equalsFolded(b, start, end, "utc") || ByteClass.equalsFolded(b, start, end, "gmt") { return 0 }
        guard b[start] == UInt8(ascii: "+") || b[start] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = b[start] == UInt8(ascii: "+") ? 1 : -1
        var i = start + 1
        guard let hours = digits(b, i, 2, end) else { return nil }
        i += 2
        var minutes: Int64 = 0
        if i < end && b[i] == UInt8(ascii: ":") { i += 1 }
        if i < end {
            guard let m = digits(b, i, 2, end) else { return nil }
            minutes = m
            i += 2
        }
        guard i == end, hours < 24, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// Convenience for tests and callers holding text.
    package static func parse(_ text: String) -> Parsed? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0), 0, $0.count) }
    }
}
