import TraceTailCore

/// Appending text to byte buffers without building Strings: the generator writes gigabytes, so
/// every record is assembled from static UTF-8, table-driven hex and hand-formatted numbers.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func put(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func put(_ bytes: [UInt8]) {
        append(contentsOf: bytes)
    }

    @inline(__always)
    mutating func put(byte: UInt8) {
        append(byte)
    }

    /// A non-negative decimal number.
    mutating func put(decimal value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            put(decimal: -value)
            return
        }
        if value < 10 {
            append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let first = count
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var rest = value
        var index = first + digits - 1
        while rest > 0 {
            self[index] = UInt8(ascii: "0") &+ UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    @inline(__always)
    mutating func put(decimal value: Int) { put(decimal: Int64(value)) }

    /// An extra field's value: a number as it is, a text between `quote`s (none when nil).
    mutating func put(_ value: ExtraValue, quote: UInt8?) {
        switch value {
        case .int(let n): put(decimal: n)
        case .text(let text):
            if let quote { put(byte: quote) }
            put(text)
            if let quote { put(byte: quote) }
        }
    }

    /// A number with leading zeros to `width` digits.
    @inline(__always)
    mutating func put(padded value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            append(UInt8(ascii: "0") &+ UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// 16 hex digits.
    @inline(__always)
    mutating func put(hex value: UInt64, uppercase: Bool = false) {
        let table = uppercase ? SampleBytes.upperHex : SampleBytes.lowerHex
        for shift in stride(from: 60, through: 0, by: -4) {
            append(table[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    /// `count` hex digits from the top of `value`'s low `count * 4` bits.
    @inline(__always)
    mutating func put(hex value: UInt64, digits count: Int, uppercase: Bool) {
        let table = uppercase ? SampleBytes.upperHex : SampleBytes.lowerHex
        for i in stride(from: count - 1, through: 0, by: -1) {
            append(table[Int((value >> UInt64(i * 4)) & 0xF)])
        }
    }

    /// A 128-bit id in one of the spellings seen in the wild.
    mutating func put(id high: UInt64, _ low: UInt64, spelling: IDSpelling) {
        switch spelling {
        case .uuid, .uuidUpper:
            let upper = spelling == .uuidUpper
            put(hex: high >> 32, digits: 8, uppercase: upper)
            append(UInt8(ascii: "-"))
            put(hex: (high >> 16) & 0xFFFF, digits: 4, uppercase: upper)
            append(UInt8(ascii: "-"))
            put(hex: high & 0xFFFF, digits: 4, uppercase: upper)
            append(UInt8(ascii: "-"))
            put(hex: low >> 48, digits: 4, uppercase: upper)
            append(UInt8(ascii: "-"))
            put(hex: low & 0xFFFF_FFFF_FFFF, digits: 12, uppercase: upper)
        case .hex, .hexUpper:
            put(hex: high, uppercase: spelling == .hexUpper)
            put(hex: low, uppercase: spelling == .hexUpper)
        }
    }

    /// A time in one of the layouts the formats use (UTC; PM2's "local time" is UTC here).
    mutating func put(time ms: Int64, layout: TimeLayout) {
        let civil = CivilTime(epochMilliseconds: ms)
        put(padded: civil.year, width: 4)
        append(UInt8(ascii: "-"))
        put(padded: civil.month, width: 2)
        append(UInt8(ascii: "-"))
        put(padded: civil.day, width: 2)
        switch layout {
        case .iso, .pm2:
            append(UInt8(ascii: "T"))
        case .pretty:
            append(UInt8(ascii: " "))
        case .rotation:
            append(UInt8(ascii: "_"))
        }
        let separator = layout == .rotation ? UInt8(ascii: "-") : UInt8(ascii: ":")
        put(padded: civil.hour, width: 2)
        append(separator)
        put(padded: civil.minute, width: 2)
        append(separator)
        put(padded: civil.second, width: 2)
        switch layout {
        case .iso:
            append(UInt8(ascii: "."))
            put(padded: civil.millisecond, width: 3)
            append(UInt8(ascii: "Z"))
        case .pretty:
            append(UInt8(ascii: "."))
            put(padded: civil.millisecond, width: 3)
            put(" +0000")
        case .pm2, .rotation:
            break
        }
    }
}

/// How a 128-bit id is spelled in a record.
package enum IDSpelling: Sendable, CaseIterable {
    /// `ec339c58-031b-4a04-a76e-2fc5fbcaebf5`
    case uuid
    /// `EC339C58-031B-4A04-A76E-2FC5FBCAEBF5`
    case uuidUpper
    /// `ec339c58031b4a04a76e2fc5fbcaebf5`
    case hex
    /// `EC339C58031B4A04A76E2FC5FBCAEBF5`
    case hexUpper
}

/// Date and time layouts of FORMATS.md.
package enum TimeLayout: Sendable {
    /// `2026-07-02T10:00:00.271Z` (logfmt `ts`, ISO in JSON)
    case iso
    /// `2026-07-02T10:00:00` (PM2 `--time` prefix, no millis)
    case pm2
    /// `2026-07-02 10:00:00.271 +0000` (pino-pretty `SYS:standard`)
    case pretty
    /// `2026-07-02_10-00-00` (pm2-logrotate copy names)
    case rotation
}

enum SampleBytes {
    static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)
    static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
}

/// A UTC calendar time from epoch milliseconds (Howard Hinnant's civil-from-days).
package struct CivilTime: Sendable, Equatable {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
    package var millisecond: Int

    package init(epochMilliseconds ms: Int64) {
        let msPerDay: Int64 = 86_400_000
        var days = ms / msPerDay
        var rest = ms % msPerDay
        if rest < 0 {
            rest += msPerDay
            days -= 1
        }
        let (y, m, d) = Timestamp.civil(fromDays: days)
        year = Int(y)
        month = Int(m)
        day = Int(d)
        hour = Int(rest / 3_600_000)
        minute = Int(rest / 60000 % 60)
        second = Int(rest / 1000 % 60)
        millisecond = Int(rest % 1000)
    }

    /// Epoch milliseconds of a UTC calendar time (days-from-civil).
    package static func epochMilliseconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }

    /// Parses `2026-07-02`, `2026-07-02T10:00:00`, `2026-07-02T10:00:00.123Z` or with a space
    /// instead of `T` (UTC; a trailing `Z` is allowed, other zones are not).
    package static func parse(_ text: String) -> Int64? {
        var s = Substring(text)
        if s.hasSuffix("Z") { s = s.dropLast() }
        let parts = s.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-")
        guard date.count == 3, let y = Int(date[0]), let m = Int(date[1]), let d = Int(date[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var hour = 0, minute = 0, second = 0, milli = 0
        if parts.count == 2 {
            let secondsAndMillis = parts[1].split(separator: ".")
            let clock = secondsAndMillis[0].split(separator: ":")
            guard (2...3).contains(clock.count), let h = Int(clock[0]), let mi = Int(clock[1]),
                  (0...23).contains(h), (0...59).contains(mi) else { return nil }
            hour = h
            minute = mi
            if clock.count == 3 {
                guard let sec = Int(clock[2]), (0...60).contains(sec) else { return nil }
                second = sec
            }
            if secondsAndMillis.count == 2 {
                let fraction = secondsAndMillis[1].prefix(3)
                guard let f = Int(fraction) else { return nil }
                milli = f * (fraction.count == 1 ? 100 : fraction.count == 2 ? 10 : 1)
            }
        }
        return epochMilliseconds(year: y, month: m, day: d, hour: hour, minute: minute, second: second, millisecond: milli)
    }
}
