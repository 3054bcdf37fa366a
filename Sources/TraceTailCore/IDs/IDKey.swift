/// The binary form of an id in the store's index: what kind of id it is and its value.
///
/// 128-bit ids (trace, workflow, task UUIDs) and 64-bit span ids are held inline, so records and
/// dictionaries of keys cost no allocation per id; opaque ids keep their text under a kind of
/// their own, so an opaque id can never collide with a binary one.
package struct IDKey: Hashable, Sendable, Comparable {
    package enum Kind: UInt8, Sendable, CaseIterable {
        case trace = 1
        case traceOpaque = 2
        case span = 3
        case spanOpaque = 4
        case workflow = 5
        case workflowOpaque = 6
        case task = 7
        case taskOpaque = 8

        /// Binary kinds hold a number; opaque kinds hold text.
        package var isOpaque: Bool { rawValue % 2 == 0 }

        /// Bytes of a binary value: 8 for span ids, 16 for the others.
        package var width: Int { self == .span ? 8 : 16 }
    }

    package var kind: Kind
    /// The first 64 bits of a binary id (the whole value of a span id).
    package var high: UInt64
    /// The last 64 bits of a 128-bit id; 0 for span ids.
    package var low: UInt64
    /// The text of an opaque id; nil for binary ones.
    package var text: String?

    package init(kind: Kind, high: UInt64, low: UInt64 = 0) {
        self.kind = kind
        self.high = high
        self.low = low
        self.text = nil
    }

    package init(kind: Kind, text: String) {
        self.kind = kind
        self.high = 0
        self.low = 0
        self.text = text
    }

    /// From stored bytes: big-endian value bytes for binary kinds, UTF-8 for opaque ones.
    package init(kind: Kind, bytes: some Collection<UInt8>) {
        if kind.isOpaque {
            self.init(kind: kind, text: String(decoding: bytes, as: UTF8.self))
        } else {
            let array = Array(bytes)
            let high = HexID.integer(array.prefix(8)[...])
            let low = array.count > 8 ? HexID.integer(array[8...]) : 0
            self.init(kind: kind, high: high, low: low)
        }
    }

    /// A 64-bit number standing for the id in the trace index: the first 64 bits of a binary id,
    /// a hash of an opaque one. Different ids may share it; readers check the full id.
    package var indexValue: Int64 {
        if let text { return Int64(bitPattern: FNV.hash(text.utf8, seed: UInt64(kind.rawValue))) }
        return Int64(bitPattern: high)
    }

    /// `indexValue` folded to 32 bits: its two halves XORed (for a UUIDv7 or X-Ray id the first
    /// half is mostly its time, so it is not simply dropped). The key of the local index's sorted
    /// runs and of the fleet store's postings: 4 bytes a row instead of 8. The few ids that share
    /// one cost a block read; a block's decode keeps only the id asked for.
    package var foldedIndexValue: Int32 { Self.fold(indexValue) }

    package static func fold(_ value: Int64) -> Int32 {
        Int32(truncatingIfNeeded: value ^ (value >> 32))
    }

    /// Binary ids are random already: one mixed word is enough for hashing, and much cheaper than
    /// feeding every field to the hasher (the block encoder hashes every id of every record).
    package func hash(into hasher: inout Hasher) {
        if let text {
            hasher.combine(kind.rawValue)
            hasher.combine(text)
        } else {
            hasher.combine(high ^ (low &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(kind.rawValue) << 56)
        }
    }

    package static func == (lhs: IDKey, rhs: IDKey) -> Bool {
        lhs.high == rhs.high && lhs.low == rhs.low && lhs.kind == rhs.kind && lhs.text == rhs.text
    }

    package static func < (lhs: IDKey, rhs: IDKey) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        if let l = lhs.text, let r = rhs.text { return l < r }
        return (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// FNV-1a, 64 bits: cheap, stable across runs and builds (unlike `Hasher`).
package enum FNV {
    package static let offset: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Contiguous bytes (an array, a string's UTF-8) are hashed in one loop over their buffer,
    /// whether or not the caller got this specialized: unspecialized (a call from another module),
    /// the loop went through an iterator's witness calls per byte, 1.5-2 % of `serve`'s CPU while
    /// following files (the fingerprints of every changed file, at every pass).
    @inlinable
    package static func hash(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0) -> UInt64 {
        if let value = bytes.withContiguousStorageIfAvailable({ Self.hash(buffer: $0, seed: seed) }) { return value }
        return Array(bytes).withUnsafeBufferPointer { hash(buffer: $0, seed: seed) }
    }

    package static func hash(buffer: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        var hash = offset ^ seed
        for byte in buffer {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A 64-bit mix of two words (for Bloom filter probes of binary ids).
    @inline(__always)
    package static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        var x = a &* 0x9E37_79B9_7F4A_7C15 ^ b &+ c &* 0xC2B2_AE3D_27D4_EB4F
        x ^= x >> 31
        x = x &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 27
        x = x &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}
