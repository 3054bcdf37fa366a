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

    /// 32 hex digits, or a UUID with dashes at 8-4-4-4-12, to a 128-bit value. Allocation-free: the
    /// parser calls it for every workflow and task id.
    package static func parse128(_ bytes: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        let start = bytes.startIndex
        let isUUID: Bool
        switch bytes.count {
        case 32: isUUID = false
        case 36:
            guard bytes[start + 8] == UInt8(ascii: "-"), bytes[start + 13] == UInt8(ascii: "-"),
                  bytes[start + 18] == UInt8(ascii: "-"), bytes[start + 23] == UInt8(ascii: "-")
            else { return nil }
            isUUID = true
        default: return nil
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digit = 0
        for i in start..<bytes.endIndex {
            if isUUID {
                let k = i - start
                if k == 8 || k == 13 || k == 18 || k == 23 { continue }
            }
            guard let n = nibble(bytes[i]) else { return nil }
            if digit < 16 { high = high << 4 | UInt64(n) } else { low = low << 4 | UInt64(n) }
            digit += 1
        }
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
        String(unsafeUninitializedCapacity: 16) { write(value, into: $0) }
    }

    /// 32 lowercase hex digits of a 128-bit value, in one allocation.
    package static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { write(high: high, low: low, into: $0) }
    }

    package static func uuidString(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { writeUUID(high: high, low: low, into: $0) }
    }

    /// Writes 16 lowercase hex digits of `value` at the start of `out` (16 bytes or more);
    /// returns 16. The forms above, and JSON answers written without a string per id.
    @inline(__always)
    package static func write(_ value: UInt64, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        for i in 0..<16 { out[i] = digits[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
        return 16
    }

    /// Writes 32 lowercase hex digits of a 128-bit value (`out` 32 bytes or more); returns 32.
    @inline(__always)
    package static func write(high: UInt64, low: UInt64, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        for i in 0..<16 {
            out[i] = digits[Int((high >> UInt64(60 - 4 * i)) & 0xF)]
            out[16 + i] = digits[Int((low >> UInt64(60 - 4 * i)) & 0xF)]
        }
        return 32
    }

    /// Writes a 128-bit value as a lowercase UUID with dashes (`out` 36 bytes or more); returns 36.
    @inline(__always)
    package static func writeUUID(high: UInt64, low: UInt64, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var j = 0
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 {
                out[j] = UInt8(ascii: "-")
                j += 1
            }
            let value = i < 16 ? high : low
            out[j] = digits[Int((value >> UInt64(60 - 4 * (i & 15))) & 0xF)]
            j += 1
        }
        return 36
    }

    package static func bytes(_ value: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 8) { out, count in
            for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * i)) }
            count = 8
        }
    }

    package static func integer(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
