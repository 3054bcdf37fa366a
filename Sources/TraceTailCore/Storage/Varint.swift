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
///
/// Reads through a pointer: make it inside `withUnsafeBufferPointer` of the bytes, and do not let it
/// outlive that call. (Reading a block's record table is most of a lookup's decoding, and the
/// array's own checks and retains were a third of it.)
package struct ByteReader {
    package struct Corrupt: Error, CustomStringConvertible {
        package var offset: Int
        package init(offset: Int) { self.offset = offset }
        package var description: String { "corrupt block payload at byte \(offset)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    package private(set) var position: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    package var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    package mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Corrupt(offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    @inline(__always)
    package mutating func varint() throws -> UInt64 {
        // Most values of a block's table fit in one byte, and nearly all the rest (lengths, offset
        // deltas) in two: both are read here, without a call.
        if position + 1 < bytes.count {
            let first = bytes[position]
            if first < 0x80 {
                position += 1
                return UInt64(first)
            }
            let second = bytes[position + 1]
            if second < 0x80 {
                position += 2
                return UInt64(first & 0x7F) | UInt64(second) << 7
            }
        }
        return try longVarint()
    }

    private mutating func longVarint() throws -> UInt64 {
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

    @inline(__always)
    package mutating func signed() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    @inline(__always)
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
    @inline(__always)
    package mutating func skip(_ count: Int) throws {
        guard count >= 0, count <= bytes.count - position else { throw Corrupt(offset: position) }
        position += count
    }

    /// Moves past `count` bytes; returns where they are.
    package mutating func take(_ count: Int) throws -> Range<Int> {
        guard count >= 0, count <= bytes.count - position else { throw Corrupt(offset: position) }
        defer { position += count }
        return position..<position + count
    }
}
