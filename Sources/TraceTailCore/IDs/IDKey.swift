/// The binary form of an id in the store's index: what kind of id it is and its bytes.
/// 128-bit ids take 16 bytes and 64-bit span ids 8; opaque ids keep their UTF-8 bytes under a kind of
/// their own, so an opaque id can never collide with a binary one of the same length.
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
    }

    package var kind: Kind
    package var bytes: [UInt8]

    package init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }

    package static func < (lhs: IDKey, rhs: IDKey) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
