/// A span id: 16 hex characters in either case (`bits`), or any other printable id (`opaque`).
/// An all-zero span id is invalid.
package enum SpanID: Hashable, Sendable, CustomStringConvertible {
    case bits(UInt64)
    case opaque(String)

    package init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if utf8.count == 16, let value = HexID.parse64(utf8[...]) {
            if value == 0 { return nil }
            self = .bits(value)
            return
        }
        guard HexID.isOpaqueID(utf8[...]), !HexID.looksLikeBrokenHex(utf8[...]) else { return nil }
        self = .opaque(String(text))
    }

    package var canonical: String {
        switch self {
        case .bits(let value): HexID.format(value)
        case .opaque(let text): text
        }
    }

    package var description: String { canonical }

    package var key: IDKey {
        switch self {
        case .bits(let value): IDKey(kind: .span, bytes: HexID.bytes(value))
        case .opaque(let text): IDKey(kind: .spanOpaque, bytes: Array(text.utf8))
        }
    }

    package init?(key: IDKey) {
        switch key.kind {
        case .span where key.bytes.count == 8: self = .bits(HexID.integer(key.bytes[...]))
        case .spanOpaque: self = .opaque(String(decoding: key.bytes, as: UTF8.self))
        default: return nil
        }
    }
}
