import TraceTailCore

/// An id taken from a request path (or the command line), validated for its kind: the key the
/// store finds it by and the canonical spelling answers name it by.
package struct RequestedID: Sendable {
    package var kind: IDKind
    package var key: IDKey
    package var canonical: String

    /// Parses an id as it appears in a path: percent-encoded bytes are decoded first (`%2F` is a
    /// slash in the id, never a path separator). Every problem is a 400 naming the id's kind.
    package init(kind: IDKind, pathSegment: String) throws {
        guard let bytes = Self.percentDecoded(Array(pathSegment.utf8)) else {
            throw QueryError.badRequest("\(kind.name) id '\(QueryParameters.clip(pathSegment))' has a malformed percent-encoding")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw QueryError.badRequest("\(kind.name) id is not valid UTF-8 once percent-decoded")
        }
        try self.init(kind: kind, text: text)
    }

    /// Parses an id as written (no percent-decoding).
    package init(kind: IDKind, text: String) throws {
        self.kind = kind
        guard !text.isEmpty, text.utf8.count <= TraceID.maximumOpaqueLength else {
            throw QueryError.badRequest("\(kind.name) id must be 1 to \(TraceID.maximumOpaqueLength) characters")
        }
        let shown = QueryParameters.clip(text)
        switch kind {
        case .trace:
            guard let id = TraceID(text) else {
                throw QueryError.badRequest("malformed trace id '\(shown)': expected a UUID, 32 hex characters, or a printable opaque id (not all zeros)")
            }
            (key, canonical) = (id.key, id.canonical)
        case .span:
            guard let id = SpanID(text) else {
                throw QueryError.badRequest("malformed span id '\(shown)': expected 16 hex characters or a printable opaque id (not all zeros)")
            }
            (key, canonical) = (id.key, id.canonical)
        case .workflow, .task:
            guard let id = BusinessID(kind == .workflow ? .workflow : .task, text) else {
                throw QueryError.badRequest("malformed \(kind.name) id '\(shown)': expected a printable id of up to 128 characters")
            }
            (key, canonical) = (id.key, id.canonical)
        }
    }

    /// `%XX` sequences to bytes; nil when a `%` is not followed by two hex digits.
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.contains(UInt8(ascii: "%")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let high = HexID.nibble(bytes[i + 1]), let low = HexID.nibble(bytes[i + 2]) else {
                    return nil
                }
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
