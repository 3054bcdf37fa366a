/// Reads level, time and message values that a scan found.
package enum FieldValues {
    package static func level(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> LogLevel? {
        if let n = ByteClass.integer(b, ref.start, ref.end) { return n <= 255 ? LogLevel(number: Int(n)) : nil }
        guard ref.kind != .object else { return nil }
        if ref.end - ref.start <= 16, ref.kind != .escapedString {
            return LogLevel(name: String(decoding: UnsafeBufferPointer(rebasing: b[ref.start..<ref.end]), as: UTF8.self))
        }
        // Escaped or coloured: winston's colorize() writes "\u001b[31merror\u001b[39m". The
        // name, unescaped and without its escapes; no level name is longer than 16 bytes.
        guard ref.end - ref.start <= 64 else { return nil }
        var decoded: [UInt8] = []
        if ref.kind == .escapedString {
            TextCleaner.unescape(b, ref.start, ref.end, into: &decoded)
        } else {
            decoded = Array(UnsafeBufferPointer(rebasing: b[ref.start..<ref.end]))
        }
        let name = TextCleaner.text(decoded)
        return name.utf8.count <= 16 ? LogLevel(name: name) : nil
    }

    /// A time value: an epoch number in the unit its key implies (see `EpochUnit`), or a date
    /// string; zone-less dates are local time.
    package static func time(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef, unit: EpochUnit = .milliseconds, localUTCOffsetSeconds: Int) -> Int64? {
        if let epoch = epochNumber(b, ref.start, ref.end, unit: unit) { return epoch }
        guard ref.kind == .string || ref.kind == .bare else { return nil }
        return DateTimeParser.parse(b, ref.start, ref.end)?.utc(localUTCOffsetSeconds: localUTCOffsetSeconds)
    }

    /// What an epoch number means. The unit comes from the key and the format, not from the
    /// number's size alone (sizes misdated records: `"time":1000` became 00:16:40, the
    /// milliseconds of 9999-12-31 became 1978). See docs/parsing.md.
    package enum EpochUnit: Sendable {
        /// pino's `time` (`Date.now()`), `timestamp` and `@timestamp` as numbers (Java and
        /// JavaScript loggers), pino-pretty's untranslated header: milliseconds, any size. Except:
        /// exactly 10 integer digits are seconds (pino's `unixTime`, Python's `time.time()`; as
        /// milliseconds they would be January to April 1970), and 16 or 19 digits, which as
        /// milliseconds would be past the year 9999, are microseconds and nanoseconds.
        case milliseconds
        /// `ts` (zap, go-kit, logfmt writers): seconds, usually with a fraction, up to 10 integer
        /// digits; longer numbers are read as above (13 digits: `ts: Date.now()`).
        case seconds
    }

    /// The last millisecond RFC 3339 can write: 9999-12-31T23:59:59.999Z.
    package static let latestMillis = Timestamp.latestMillis

    /// `1782986400123`, `1795581871`, `1795581871.25`: to milliseconds, in `unit`; nil when it is
    /// not a number or is past 9999-12-31.
    package static func epochNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, unit: EpochUnit = .milliseconds) -> Int64? {
        var i = start
        var whole: Int64 = 0
        var digits = 0
        while i < end, ByteClass.isDigit(b[i]) {
            guard digits < 19 else { return nil }
            let (times10, overflow) = whole.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int64(b[i] &- 0x30))
            guard !overflow, !overflow2 else { return nil }
            whole = next
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var fractionMillis: Int64 = 0
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100
            while i < end, ByteClass.isDigit(b[i]) {
                fractionMillis += Int64(b[i] &- 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard i == end, whole > 0 else { return nil }
        let millis: Int64
        if digits == 10 || (unit == .seconds && digits < 10) {
            millis = whole * 1000 + fractionMillis
        } else if whole > latestMillis && digits == 16 {
            millis = whole / 1000
        } else if whole > latestMillis && digits == 19 {
            millis = whole / 1_000_000
        } else {
            millis = whole
        }
        return millis <= latestMillis ? millis : nil
    }

    /// Whether a time value reads as a time of the clock: a date, or an epoch number with 10 or
    /// more digits before any fraction.
    private static func isClockTime(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> Bool {
        var digits = 0
        var i = ref.start
        while i < ref.end, ByteClass.isDigit(b[i]) {
            digits += 1
            i += 1
        }
        if digits > 0, i == ref.end || b[i] == UInt8(ascii: ".") { return digits >= 10 }
        return (ref.kind == .string || ref.kind == .bare) && DateTimeParser.parse(b, ref.start, ref.end) != nil
    }

    /// The display text of a message value: a string decoded and cleaned, anything else as written.
    package static func text(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> String {
        switch ref.kind {
        case .escapedString:
            var out = [UInt8]()
            out.reserveCapacity(ref.end - ref.start)
            TextCleaner.unescape(b, ref.start, ref.end, into: &out)
            return TextCleaner.text(out)
        case .string, .bare, .object:
            return TextCleaner.text(b, ref.start, ref.end)
        }
    }

    /// Applies level, time and message from a scan of a structured record.
    ///
    /// A user's field may share a name with the logger's level or time (pino writes the user's
    /// fields after its own, winston's json() sorts keys, bunyan writes a child logger's fields
    /// first): the logger's `level` wins when it reads as a level, an alias (`severity`, ...)
    /// otherwise; of the times, `time`, then `timestamp`, then `ts`, the first that reads as a
    /// time of the clock: a date, or an epoch number of 10 digits or more (`"time":45`, an
    /// elapsed time, is not one). With none such, the last of them, as before.
    package static func apply(_ c: FieldCollector, _ b: UnsafeBufferPointer<UInt8>, localUTCOffsetSeconds: Int, to fields: inout RecordFields) {
        if c.level != nil || c.levelAlias != nil {
            fields.level = c.level.flatMap { level(b, $0) } ?? c.levelAlias.flatMap { level(b, $0) }
        }
        if let ref = c.time {
            // Only a record with two of them has a choice to make (no array a record: this runs
            // for every record ingested).
            let t = c.times
            var chosen: Int64?
            if (t.time == nil ? 0 : 1) + (t.timestamp == nil ? 0 : 1) + (t.ts == nil ? 0 : 1) > 1 {
                func clock(_ key: FieldKey, _ candidate: ValueRef?) -> Int64? {
                    guard let candidate, isClockTime(b, candidate) else { return nil }
                    return time(b, candidate, unit: key.epochUnit, localUTCOffsetSeconds: localUTCOffsetSeconds)
                }
                chosen = clock(.time, t.time) ?? clock(.timestamp, t.timestamp) ?? clock(.ts, t.ts)
            }
            fields.time = chosen ?? time(b, ref, unit: c.timeKey.epochUnit, localUTCOffsetSeconds: localUTCOffsetSeconds)
        }
        if let ref = c.msg ?? c.message ?? c.errMessage {
            fields.message = text(b, ref)
        } else {
            fields.message = ""
        }
    }
}
