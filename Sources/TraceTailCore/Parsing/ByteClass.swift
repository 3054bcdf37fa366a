/// Byte-level character classes and small scans shared by the parsers. Everything works on
/// `UnsafeBufferPointer<UInt8>` and `Int` indices so the hot paths neither allocate nor copy.
package enum ByteClass {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isWhite(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }

    /// A character of an unquoted key or bare value: letters, digits, `_ $ . - +` and non-ASCII.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool {
        isAlpha(b) || isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b >= 0x80
    }

    /// Index of the first `byte` in `start..<end`, or `end`.
    @inline(__always) static func find(_ byte: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i < end && b[i] != byte { i += 1 }
        return i
    }

    /// `end` moved back over trailing spaces, tabs, CR and LF.
    @inline(__always) static func trimEnd(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var e = end
        while e > start && isWhite(b[e - 1]) { e -= 1 }
        return e
    }

    /// `start` moved forward over spaces and tabs.
    @inline(__always) static func trimStart(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var s = start
        while s < end && isSpace(b[s]) { s += 1 }
        return s
    }

    /// Whether `b[start..<end]` begins with `literal`.
    @inline(__always) static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - start >= n else { return false }
        let p = literal.utf8Start
        for k in 0..<n where b[start + k] != p[k] { return false }
        return true
    }

    /// Whether `b[start..<end]` equals `literal`, ignoring ASCII case.
    @inline(__always) static func equalsFolded(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - start == n else { return false }
        let p = literal.utf8Start
        for k in 0..<n where lower(b[start + k]) != p[k] { return false }
        return true
    }

    /// Parses an unsigned decimal integer with at most 18 digits.
    @inline(__always) static func integer(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard end > start, end - start <= 18 else { return nil }
        var v: Int64 = 0
        for i in start..<end {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
        }
        return v
    }

    /// A bare word at `b[start]` (a word byte) in loose object text (util.inspect, JSON-ish meta):
    /// where it ends, and where the text goes on after it when it is a key (the byte after its
    /// `:`), or nil when it is a value. The two object scanners read bare words this one way.
    @inline(__always)
    static func bareWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (end: Int, afterColon: Int?) {
        var j = start + 1
        while j < end && isWord(b[j]) { j += 1 }
        var k = j
        while k < end && isSpace(b[k]) { k += 1 }
        return (j, k < end && b[k] == UInt8(ascii: ":") ? k + 1 : nil)
    }
}
