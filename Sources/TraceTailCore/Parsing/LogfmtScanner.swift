/// logfmt pairs: `ts=... level=info trace_id=... msg="quoted \"value\""`. Feeds every pair whose key
/// the parser knows to a collector, at depth 0.
package enum LogfmtScanner {
    package struct Result {
        package var pairs = 0
        package var firstTokenIsPair = false
    }

    package static func scan(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into c: inout FieldCollector) -> Result {
        var result = Result()
        var i = start
        var tokenIndex = 0
        while i < end {
            while i < end && ByteClass.isWhite(b[i]) { i += 1 }
            guard i < end else { break }
            let keyStart = i
            while i < end && b[i] != UInt8(ascii: "=") && !ByteClass.isWhite(b[i]) && b[i] != UInt8(ascii: "\"") { i += 1 }
            let keyEnd = i
            if i < end && b[i] == UInt8(ascii: "=") && keyEnd > keyStart {
                i += 1
                var ref: ValueRef
                if i < end && b[i] == UInt8(ascii: "\"") {
                    let vStart = i + 1
                    var j = vStart
                    var escaped = false
                    while j < end && b[j] != UInt8(ascii: "\"") && b[j] != 0x0A {
                        if b[j] == UInt8(ascii: "\\") { escaped = true; j += 1 }
                        j += 1
                    }
                    let vEnd = min(j, end)
                    ref = ValueRef(start: vStart, end: vEnd, depth: 0, kind: escaped ? .escapedString : .string)
                    i = min(j + 1, end)
                } else {
                    let vStart = i
                    while i < end && !ByteClass.isWhite(b[i]) { i += 1 }
                    ref = ValueRef(start: vStart, end: i, depth: 0, kind: .bare)
                }
                result.pairs += 1
                if tokenIndex == 0 { result.firstTokenIsPair = true }
                if let key = FieldKey.classify(b, keyStart, keyEnd) { c.value(key, ref, container: nil) }
            } else {
                // Not a pair: skip the rest of the token, a quoted run included.
                if i < end && b[i] == UInt8(ascii: "\"") {
                    i += 1
                    while i < end && b[i] != UInt8(ascii: "\"") && b[i] != 0x0A { i += 1 }
                    if i < end { i += 1 }
                }
                while i < end && !ByteClass.isWhite(b[i]) { i += 1 }
            }
            tokenIndex += 1
        }
        return result
    }
}
