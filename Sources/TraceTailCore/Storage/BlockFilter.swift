/// A Bloom filter over the span, workflow and task ids of one block: lookups by those ids test
/// each block's filter instead of keeping an index row per id and block. About 10 bits per id,
/// 5 probes: roughly 1 % of blocks without the id are read for nothing.
package struct BlockFilter: Sendable, Equatable {
    package private(set) var bits: [UInt8]

    package static let bitsPerKey = 10
    package static let probes = 5

    package init(keys: some Collection<IDKey>) {
        let count = max(64, keys.count * Self.bitsPerKey)
        bits = [UInt8](repeating: 0, count: (count + 7) / 8)
        for key in keys { insert(key) }
    }

    package init(bits: [UInt8]) {
        self.bits = bits
    }

    /// Whether the filter may hold `key` (false: it certainly does not).
    package func mayContain(_ key: IDKey) -> Bool {
        guard !bits.isEmpty else { return false }
        let m = UInt64(bits.count * 8)
        let (h1, h2) = Self.hashes(key)
        for i in 0..<UInt64(Self.probes) {
            let bit = (h1 &+ i &* h2) % m
            if bits[Int(bit >> 3)] & (1 << (bit & 7)) == 0 { return false }
        }
        return true
    }

    private mutating func insert(_ key: IDKey) {
        let m = UInt64(bits.count * 8)
        let (h1, h2) = Self.hashes(key)
        for i in 0..<UInt64(Self.probes) {
            let bit = (h1 &+ i &* h2) % m
            bits[Int(bit >> 3)] |= 1 << (bit & 7)
        }
    }

    private static func hashes(_ key: IDKey) -> (UInt64, UInt64) {
        let h = key.text.map { FNV.hash($0.utf8, seed: UInt64(key.kind.rawValue)) }
            ?? FNV.mix(UInt64(key.kind.rawValue), key.high, key.low)
        return (h, (h >> 32) | 1)
    }

    /// Ids a block's filter covers: spans, workflows and tasks (traces have an exact index).
    package static func covers(_ kind: IDKey.Kind) -> Bool {
        switch kind {
        case .trace, .traceOpaque: false
        default: true
        }
    }
}
