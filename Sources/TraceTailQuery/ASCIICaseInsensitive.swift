/// A substring test with ASCII case folding (other characters compared exactly).
struct ASCIICaseInsensitive: Sendable {
    let pattern: [UInt8]

    init(_ needle: String) {
        pattern = needle.utf8.map(Self.fold)
    }

    func isFound(in haystack: String) -> Bool {
        guard let first = pattern.first else { return true }
        let text = Array(haystack.utf8)
        guard text.count >= pattern.count else { return false }
        for start in 0...(text.count - pattern.count) where Self.fold(text[start]) == first {
            var matched = true
            for offset in 1..<pattern.count where Self.fold(text[start + offset]) != pattern[offset] {
                matched = false
                break
            }
            if matched { return true }
        }
        return false
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}
