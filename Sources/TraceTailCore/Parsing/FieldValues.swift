/// Reads level, time and message values that a scan found.
package enum FieldValues {
    package static func level(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef) -> LogLevel? {
        if let n = ByteClass.integer(b, ref.start, ref.end) { return n <= 255 ? LogLevel(number: Int(n)) : nil }
        guard ref.kind != .object, ref.end - ref.start <= 16 else { return nil }
        return LogLevel(name: String(decoding: UnsafeBufferPointer(rebasing: b[ref.start..<ref.end]), as: UTF8.self))
    }

    /// A time value: epoch seconds, milliseconds, microseconds or nanoseconds (told apart by size,
    /// possibly with a fraction), or a date string; zone-less dates are local time.
    package static func time(_ b: UnsafeBufferPointer<UInt8>, _ ref: ValueRef, localUTCOffsetSeconds: Int) -> Int64? {
        if let epoch = epochNumber(b, ref.start, ref.end) { return epoch }
        guard ref.kind == .string || ref.kind == .bare else { return nil }
        guard let parsed = DateTimeParser.parse(b, ref.start, ref.end) else { return nil }
        return parsed.zoned ? parsed.milliseconds : parsed.milliseconds - Int64(localUTCOffsetSeconds) * 1000
    }

    /// `1782986400123`, `1795581871`, `1795581871.25`: to milliseconds.
    package static func epochNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        var whole: Int64 = 0
        var digits = 0
        while i < end, ByteClass.isDigit(b[i]) {
            guard digits < 19 else { return nil }
            whole = whole &* 10 &+ Int64(b[i] &- 0x30)
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
        switch whole {
        case 100_000_000_000_000_000...: return whole / 1_000_000
        case 100_000_000_000_000...: return whole / 1000
        case 100_000_000_000...: return whole
        default: return whole * 1000 + fractionMillis
        }
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
    package static func apply(_ c: FieldCollector, _ b: UnsafeBufferPointer<UInt8>, localUTCOffsetSeconds: Int, to fields: inout RecordFields) {
        if let ref = c.level { fields.level = level(b, ref) }
        if let ref = c.time { fields.time = time(b, ref, localUTCOffsetSeconds: localUTCOffsetSeconds) }
        if let ref = c.msg ?? c.message ?? c.errMessage {
            fields.message = text(b, ref)
        } else {
            fields.message = ""
        }
    }
}
