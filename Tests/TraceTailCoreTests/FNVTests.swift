import Testing
import TraceTailCore

/// FNV-1a values are stored (file fingerprints, the index keys of text ids): a change of how they
/// are computed must not change a single value.
@Suite("FNV-1a")
struct FNVTests {
    @Test("the published 64-bit FNV-1a values, and the same from a buffer, an array, a string and a non-contiguous sequence")
    func knownValues() {
        // From the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/).
        let known: [(String, UInt64)] = [("", 0xcbf2_9ce4_8422_2325), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x85944171f73967e8)]
        for (text, value) in known {
            #expect(FNV.hash(Array(text.utf8)) == value, "\(text)")
            #expect(FNV.hash(text.utf8) == value, "\(text)")
            #expect(FNV.hash(text.utf8.lazy.map { $0 }) == value, "\(text), through an iterator")
            #expect(Array(text.utf8).withUnsafeBufferPointer { FNV.hash(buffer: $0) } == value, "\(text)")
        }
        let bytes = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        for seed: UInt64 in [0, 1, 7, .max] {
            #expect(FNV.hash(bytes, seed: seed) == FNV.hash(bytes.lazy.map { $0 }, seed: seed))
            #expect(FNV.hash(bytes[100..<900], seed: seed) == FNV.hash(bytes[100..<900].lazy.map { $0 }, seed: seed))
        }
    }
}
