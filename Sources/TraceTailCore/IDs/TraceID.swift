/// A trace id as a user or a log line spells it.
///
/// 128-bit ids written as a UUID with dashes or as 32 hex characters, in either case, are one value
/// (`bits`); the canonical form is 32 lowercase hex characters, as W3C Trace Context writes it.
/// Any other printable id of up to 128 characters (`abc123`, a decimal Datadog id) is `opaque` and
/// matches only itself. An all-zero id is invalid, as W3C says.
package enum TraceID: Hashable, Sendable, CustomStringConvertible {
    case bits(high: UInt64, low: UInt64)
    case opaque(String)

    package static let maximumOpaqueLength = 128

    /// Parses an id from a request or a log value; `nil` when it is malformed or all zero.
    package init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if let (high, low) = HexID.parse128(utf8[...]) {
            if high == 0 && low == 0 { return nil }
            self = .bits(high: high, low: low)
            return
        }
        guard HexID.isOpaqueID(utf8[...]) else { return nil }
        // A value shaped like a hex id (only hex digits and dashes) that did not parse as one is a
        // broken id, not an opaque name: "4bf9-..." cut short, or all zeros in another layout.
        if HexID.looksLikeBrokenHex(utf8[...]) { return nil }
        self = .opaque(String(text))
    }

    /// The canonical spelling: 32 lowercase hex characters, or the opaque id as written.
    package var canonical: String {
        switch self {
        case .bits(let high, let low): HexID.format(high: high, low: low)
        case .opaque(let text): text
        }
    }

    package var description: String { canonical }

    /// The index key: 16 big-endian bytes, or the opaque id's UTF-8 bytes.
    package var key: IDKey {
        switch self {
        case .bits(let high, let low): IDKey(kind: .trace, high: high, low: low)
        case .opaque(let text): IDKey(kind: .traceOpaque, text: text)
        }
    }

    package init?(key: IDKey) {
        switch key.kind {
        case .trace:
            self = .bits(high: key.high, low: key.low)
        case .traceOpaque:
            self = .opaque(key.text ?? "")
        default:
            return nil
        }
    }
}
