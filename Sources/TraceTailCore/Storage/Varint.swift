/// LEB128 varints and zigzag encoding for the block codec.
package enum Varint {
    @inline(__always)
    package static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always)
    package static func appendSigned(_ value: Int64, to out: inout [UInt8]) {
        append(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &out)
    }
}

/// Reads varints and bytes from a buffer, throwing on truncated or corrupt input.
package struct ByteReader {
    package struct Corrupt: Error, CustomStringConvertible {
        package var offset: Int
        package var description: String { "corrupt block payload at byte \(offset)" }
    }

    package let bytes: [UInt8]
    package private(set) var position: Int

    package init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    package var isAtEnd: Bool { position >= bytes.count }

    package mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Corrupt(offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    package mutating func varint() throws -> UInt64 {
        // Most values of a block's table fit in one byte.
        if position < bytes.count, bytes[position] < 0x80 {
            defer { position += 1 }
            return UInt64(bytes[position])
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw Corrupt(offset: position) }
        }
    }

    package mutating func signed() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    package mutating func int() throws -> Int {
        let value = try varint()
        guard value <= UInt64(Int.max) else { throw Corrupt(offset: position) }
        return Int(value)
    }

    /// Eight bytes, big-endian.
    package mutating func uint64() throws -> UInt64 {
        guard position + 8 <= bytes.count else { throw Corrupt(offset: position) }
        var value: UInt64 = 0
        for i in position..<position + 8 { value = value << 8 | UInt64(bytes[i]) }
        position += 8
        return value
    }

    /// Moves past `count` bytes without reading them.
    package mutating func skip(_ count: Int) throws {
        guard count >= 0, position + count <= bytes.count else { throw Corrupt(offset: position) }
        position += count
    }

    package mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, position + count <= bytes.count else { throw Corrupt(offset: position) }
        defer { position += count }
        return bytes[position..<position + count]
    }
}
