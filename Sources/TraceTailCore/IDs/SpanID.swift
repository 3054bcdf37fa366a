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
        case .bits(let value): IDKey(kind: .span, high: value)
        case .opaque(let text): IDKey(kind: .spanOpaque, text: text)
        }
    }

    package init?(key: IDKey) {
        switch key.kind {
        case .span: self = .bits(key.high)
        case .spanOpaque: self = .opaque(key.text ?? "")
        default: return nil
        }
    }
}
