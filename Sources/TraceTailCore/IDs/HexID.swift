/// Byte-level helpers for hex ids, shared by the id types and the parsers. No Foundation, no
/// allocation on the parse path.
package enum HexID {
    @inline(__always)
    package static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// 16 hex digits to a 64-bit value.
    package static func parse64(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard bytes.count == 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard let n = nibble(byte) else { return nil }
            value = value << 4 | UInt64(n)
        }
        return value
    }

    /// 32 hex digits, or a UUID with dashes at 8-4-4-4-12, to a 128-bit value.
    package static func parse128(_ bytes: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        var digits = [UInt8]()
        if bytes.count == 32 {
            digits = Array(bytes)
        } else if bytes.count == 36 {
            let start = bytes.startIndex
            for dash in [8, 13, 18, 23] where bytes[start + dash] != UInt8(ascii: "-") { return nil }
            digits.reserveCapacity(32)
            for (i, byte) in bytes.enumerated() where ![8, 13, 18, 23].contains(i) { digits.append(byte) }
        } else {
            return nil
        }
        guard let high = parse64(digits[0..<16]), let low = parse64(digits[16..<32]) else { return nil }
        return (high, low)
    }

    /// Printable ASCII or UTF-8 without spaces or control characters, 1 to 128 bytes.
    package static func isOpaqueID(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= TraceID.maximumOpaqueLength else { return false }
        for byte in bytes where byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            return false
        }
        return true
    }

    /// Only hex digits and dashes, 16 characters or more, and not a valid id: a damaged hex id,
    /// which must not be indexed as an opaque one.
    package static func looksLikeBrokenHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 16 else { return false }
        var hasLetterOrDash = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") { hasLetterOrDash = true; continue }
            guard let n = nibble(byte) else { return false }
            if n >= 10 { hasLetterOrDash = true }
        }
        // All-decimal strings are Datadog-style ids: opaque, not broken hex.
        return hasLetterOrDash || bytes.allSatisfy { $0 == UInt8(ascii: "0") }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    package static func format(_ value: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[i] = digits[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
        return String(decoding: out, as: UTF8.self)
    }

    package static func uuidString(high: UInt64, low: UInt64) -> String {
        let hex = Array((format(high) + format(low)).utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, byte) in hex.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }

    package static func integer(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
