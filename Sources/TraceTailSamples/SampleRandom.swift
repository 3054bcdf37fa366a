import TraceTailCore

/// A small, fast, seedable PRNG (xoshiro256**, seeded through SplitMix64). The generator uses it
/// instead of the system generator so that one seed always gives the same bytes on every machine.
package struct SampleRandom: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    package init(seed: UInt64) {
        var seeds = SplitMix64(seed: seed)
        s0 = seeds.next()
        s1 = seeds.next()
        s2 = seeds.next()
        s3 = seeds.next()
    }

    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A value in `0..<bound` (Lemire's multiply-shift; the bias is negligible for our bounds).
    @inline(__always)
    package mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    @inline(__always)
    package mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A double in `0..<1`.
    @inline(__always)
    package mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    @inline(__always)
    package mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A non-zero 64-bit value (span ids).
    @inline(__always)
    package mutating func nonZero() -> UInt64 {
        while true {
            let value = next()
            if value != 0 { return value }
        }
    }

    /// A random (version 4) UUID as two 64-bit halves.
    package mutating func uuid() -> (high: UInt64, low: UInt64) {
        let high = (next() & ~0xF000) | 0x4000
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return (high, low)
    }

    /// Index into a table of weights (which need not sum to anything in particular).
    package mutating func weighted(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        var roll = below(max(total, 1))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}
