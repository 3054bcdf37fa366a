/// RFC 3339 times in UTC with milliseconds, to and from milliseconds since the Unix epoch,
/// without Foundation (days-from-civil arithmetic, proleptic Gregorian calendar).
package enum Timestamp {
    /// `2026-07-02T10:00:00.271Z`.
    package static func rfc3339(_ millis: Int64) -> String {
        let (days, msOfDay) = floorDivide(millis, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let ms = msOfDay % 1000
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            out.append(contentsOf: digits)
        }
        put(year, 4); out.append(UInt8(ascii: "-"))
        put(month, 2); out.append(UInt8(ascii: "-"))
        put(day, 2); out.append(UInt8(ascii: "T"))
        put(hour, 2); out.append(UInt8(ascii: ":"))
        put(minute, 2); out.append(UInt8(ascii: ":"))
        put(second, 2); out.append(UInt8(ascii: "."))
        put(ms, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM`, `±HHMM` or no zone
    /// (then `defaultOffsetSeconds` applies); `T` may be a space. Nil when malformed.
    package static func parse(_ text: some StringProtocol, defaultOffsetSeconds: Int = 0) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int64? {
            guard i + width <= b.count else { return nil }
            var v: Int64 = 0
            for j in i..<i + width {
                guard b[j] >= 48, b[j] <= 57 else { return nil }
                v = v * 10 + Int64(b[j] - 48)
            }
            i += width
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var millis = days(year: year, month: month, day: day) * 86_400_000
        if i == b.count { return millis - Int64(defaultOffsetSeconds) * 1000 }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else { return nil }
        i += 1
        guard let hour = number(2), expect(58), let minute = number(2), hour < 24, minute < 60 else { return nil }
        millis += hour * 3_600_000 + minute * 60_000
        if expect(58) {
            guard let second = number(2), second < 61 else { return nil }
            millis += second * 1000
            if expect(46) || expect(44) {
                var scale: Int64 = 100
                var digits = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    millis += Int64(b[i] - 48) * scale
                    scale /= 10
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        if i == b.count { return millis - Int64(defaultOffsetSeconds) * 1000 }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            return i + 1 == b.count ? millis : nil
        }
        if b[i] == UInt8(ascii: " ") { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let offsetHours = number(2) else { return nil }
        _ = expect(58)
        let offsetMinutes = i < b.count ? (number(2) ?? -1) : 0
        guard offsetMinutes >= 0, i == b.count else { return nil }
        return millis - sign * (offsetHours * 3600 + offsetMinutes * 60) * 1000
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
