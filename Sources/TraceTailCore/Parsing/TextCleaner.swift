/// Turns stored bytes into display text: decodes JSON/JS string escapes, removes ANSI colour in its
/// three forms (raw ESC sequences, `\u001b` inside JSON strings once decoded, and orphan `[31m` left
/// after something stripped the ESC) and NUL bytes. Invalid UTF-8 becomes U+FFFD when the String is made.
package enum TextCleaner {
    /// Appends the decoded content of a JSON (or single-quoted JS) string body `b[start..<end]`.
    package static func unescape(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt8]) {
        var i = start
        while i < end {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < end else {
                out.append(c)
                i += 1
                continue
            }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let unit = hex4(b, i, end) else {
                    out.append(UInt8(ascii: "\\"))
                    out.append(e)
                    continue
                }
                i += 4
                var scalar = UInt32(unit)
                if (0xD800..<0xDC00).contains(unit), i + 5 < end, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(b, i + 2, end), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    i += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", into: &out)
            default: out.append(e)  // \" \\ \/ \' and anything unknown
            }
        }
    }

    @inline(__always)
    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> UInt16? {
        guard i + 4 <= end else { return nil }
        var v: UInt16 = 0
        for k in 0..<4 {
            guard let n = HexID.nibble(b[i + k]) else { return nil }
            v = v << 4 | UInt16(n)
        }
        return v
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, into out: inout [UInt8]) {
        for unit in UTF8.encode(scalar)! { out.append(unit) }
    }

    /// Whether the bytes hold anything `clean` would remove.
    @inline(__always)
    package static func needsCleaning(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            let c = b[i]
            if c == 0x1B || c == 0 { return true }
            if c == UInt8(ascii: "[") && orphanSGRLength(b, i, end) > 0 { return true }
            i += 1
        }
        return false
    }

    /// Length of an orphan SGR sequence `[<digits;...>m` at `i`, or 0.
    @inline(__always)
    private static func orphanSGRLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var j = i + 1
        let limit = min(end, i + 16)
        while j < limit && (ByteClass.isDigit(b[j]) || b[j] == UInt8(ascii: ";")) { j += 1 }
        guard j > i + 1, j < limit, b[j] == UInt8(ascii: "m") else { return 0 }
        return j + 1 - i
    }

    /// Length of a raw escape sequence at `i` (which holds ESC).
    @inline(__always)
    private static func escapeLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        guard i + 1 < end else { return 1 }
        let kind = b[i + 1]
        if kind == UInt8(ascii: "[") {  // CSI: parameters and intermediates, then a final byte
            var j = i + 2
            while j < end && b[j] >= 0x20 && b[j] <= 0x3F { j += 1 }
            if j < end && b[j] >= 0x40 && b[j] <= 0x7E { j += 1 }
            return j - i
        }
        if kind == UInt8(ascii: "]") {  // OSC: up to BEL or ESC \
            var j = i + 2
            while j < end {
                if b[j] == 0x07 { return j + 1 - i }
                if b[j] == 0x1B { return (j + 1 < end && b[j + 1] == UInt8(ascii: "\\") ? j + 2 : j) - i }
                j += 1
            }
            return j - i
        }
        return 2
    }

    /// Appends `b[start..<end]` without ANSI escapes (all three forms) and NUL bytes.
    package static func clean(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt8]) {
        var i = start
        var run = start
        while i < end {
            let c = b[i]
            var skip = 0
            if c == 0x1B {
                skip = escapeLength(b, i, end)
            } else if c == 0 {
                skip = 1
            } else if c == UInt8(ascii: "[") {
                skip = orphanSGRLength(b, i, end)
            }
            if skip > 0 {
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i])) }
                i += skip
                run = i
            } else {
                i += 1
            }
        }
        if run < end { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<end])) }
    }

    /// The display text of `b[start..<end]`: cleaned, and decoded as UTF-8 with repair.
    package static func text(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        guard start < end else { return "" }
        if !needsCleaning(b, start, end) {
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
        }
        var out = [UInt8]()
        out.reserveCapacity(end - start)
        clean(b, start, end, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The display text of a decoded string value held in `bytes`.
    package static func text(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { text($0, 0, $0.count) }
    }
}
