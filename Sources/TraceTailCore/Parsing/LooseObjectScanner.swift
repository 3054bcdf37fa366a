/// One forward pass over JSON, util.inspect text or a pino-pretty body, feeding every `key: value`
/// pair it meets to a `FieldCollector`. It tracks nesting with a counter, never recursion, so any depth
/// is safe, and it never builds a document: strings are skipped over, not decoded.
///
/// It is deliberately loose: keys may be double-quoted, single-quoted or bare (`traceId:`), strings
/// may use either quote, and junk between pairs (a pretty-printed stack) is stepped over. A string
/// never spans a raw line end, so a stray apostrophe cannot swallow the rest of a record.
package enum LooseObjectScanner {
    /// Scans `b[start..<end]`. `initialDepth` is -1 when the text starts with the object's `{` (JSON,
    /// inspect) and 0 for a pretty body whose `key: value` lines are already top level.
    package static func scan(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, initialDepth: Int, into c: inout FieldCollector) {
        var i = start
        var depth = initialDepth
        var key: FieldKey? = nil
        var haveKey = false
        var container: FieldKey? = nil
        var objectStart = -1
        // The innermost open `trace` or `span` object (ECS nesting) and the depth of its keys.
        var idOwner: FieldKey? = nil
        var idOwnerDepth = Int.min
        while i < end {
            let ch = b[i]
            switch ch {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let sStart = i + 1
                var j = sStart
                var escaped = false
                while j < end {
                    let d = b[j]
                    if d == ch || d == 0x0A { break }
                    if d == UInt8(ascii: "\\") {
                        escaped = true
                        j += 2
                        continue
                    }
                    j += 1
                }
                let sEnd = min(j, end)
                i = min(j + 1, end)
                var k = i
                while k < end && ByteClass.isSpace(b[k]) { k += 1 }
                if k < end && b[k] == UInt8(ascii: ":") {
                    key = escaped ? nil : FieldKey.classify(b, sStart, sEnd)
                    if key == .id { key = Self.ownedID(idOwner, depth == idOwnerDepth) }
                    haveKey = true
                    if depth == 0 { c.topLevelKeys += 1 }
                    i = k + 1
                } else {
                    if haveKey, let key {
                        c.value(key, ValueRef(start: sStart, end: sEnd, depth: depth, kind: escaped ? .escapedString : .string), container: container)
                    }
                    haveKey = false
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if haveKey, ch == UInt8(ascii: "{"), key == .traceObject || key == .spanObject {
                    idOwner = key
                    idOwnerDepth = depth + 1
                }
                if haveKey && depth == 0 {
                    container = key
                    if key == .msg || key == .message { objectStart = i }
                }
                haveKey = false
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth > initialDepth { depth -= 1 }
                if depth < idOwnerDepth {
                    idOwner = nil
                    idOwnerDepth = Int.min
                }
                if depth == 0 {
                    if objectStart >= 0 {
                        if let key = container {
                            c.value(key, ValueRef(start: objectStart, end: i + 1, depth: 0, kind: .object), container: nil)
                        }
                        objectStart = -1
                    }
                    container = nil
                }
                haveKey = false
                i += 1
            case UInt8(ascii: ","), 0x0A:
                haveKey = false
                i += 1
            default:
                guard ByteClass.isWord(ch) else {
                    i += 1
                    continue
                }
                let (j, afterColon) = ByteClass.bareWord(b, i, end)
                if let afterColon, !haveKey {
                    key = FieldKey.classify(b, i, j)
                    if key == .id { key = Self.ownedID(idOwner, depth == idOwnerDepth) }
                    haveKey = true
                    if depth == 0 { c.topLevelKeys += 1 }
                    i = afterColon
                } else {
                    if haveKey, let key {
                        c.value(key, ValueRef(start: i, end: j, depth: depth, kind: .bare), container: container)
                    }
                    haveKey = false
                    i = j
                }
            }
        }
    }

    /// What an `id` key names: the trace or span id inside a `trace` or `span` object, else nothing.
    @inline(__always)
    private static func ownedID(_ owner: FieldKey?, _ directlyInside: Bool) -> FieldKey? {
        guard directlyInside else { return nil }
        switch owner {
        case .traceObject: return .traceID
        case .spanObject: return .spanID
        default: return nil
        }
    }
}
