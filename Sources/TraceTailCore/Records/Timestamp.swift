/// RFC 3339 times in UTC with milliseconds, to and from milliseconds since the Unix epoch,
/// without Foundation (days-from-civil arithmetic, proleptic Gregorian calendar).
package enum Timestamp {
    /// `2026-07-02T10:00:00.271Z`.
    package static func rfc3339(_ millis: Int64) -> String {
        // Written in place: one allocation (the string's), where an array per field was seven
        // (an answer shows a time per record).
        String(unsafeUninitializedCapacity: rfc3339Length) { writeRFC3339(millis, into: $0) }
    }

    /// Bytes of `rfc3339`'s form.
    package static let rfc3339Length = 24

    /// 0000-01-01T00:00:00.000Z, the first millisecond RFC 3339 can write (its years have four
    /// digits).
    package static let earliestMillis: Int64 = -62_167_219_200_000
    /// 9999-12-31T23:59:59.999Z, the last.
    package static let latestMillis: Int64 = 253_402_300_799_999
    /// The times RFC 3339 can write.
    package static let writable: ClosedRange<Int64> = earliestMillis...latestMillis

    /// Writes `rfc3339(millis)` at the start of `out` (`rfc3339Length` bytes or more); returns
    /// the bytes written. JSON answers write it so, without a string per record.
    ///
    /// A time outside `writable` is written as the nearer end of it. The parsers and the API
    /// refuse such times, but a store may still hold one (written by an older build or another
    /// host, or decoded from a damaged block, whose time deltas wrap): a year before 0 used to
    /// trap here (`UInt8` of a negative digit) and stop the daemon at every answer showing it.
    package static func writeRFC3339(_ millis: Int64, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let (days, msOfDay) = floorDivide(min(max(millis, earliestMillis), latestMillis), 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let ms = msOfDay % 1000
        var position = 0
        func put(_ value: Int64, _ width: Int, then separator: UInt8) {
            var v = value
            for i in stride(from: position + width - 1, through: position, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            out[position + width] = separator
            position += width + 1
        }
        put(year, 4, then: UInt8(ascii: "-"))
        put(month, 2, then: UInt8(ascii: "-"))
        put(day, 2, then: UInt8(ascii: "T"))
        put(hour, 2, then: UInt8(ascii: ":"))
        put(minute, 2, then: UInt8(ascii: ":"))
        put(second, 2, then: UInt8(ascii: "."))
        put(ms, 3, then: UInt8(ascii: "Z"))
        return position
    }

    /// Parses a date and time as `DateTimeParser` does (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]`
    /// with `Z`, `±HH:MM`, `±HHMM` or no zone; `T` may be a space); without a zone,
    /// `defaultOffsetSeconds` applies. Nil when malformed. One grammar for log times and for the
    /// API's and the CLI's time parameters.
    /// Nil also when the time, once in UTC, is outside `writable`.
    package static func parse(_ text: some StringProtocol, defaultOffsetSeconds: Int = 0) -> Int64? {
        DateTimeParser.parse(String(text))?.utc(localUTCOffsetSeconds: defaultOffsetSeconds)
    }

    /// Days since 1970-01-01 of a civil date.
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }
}
