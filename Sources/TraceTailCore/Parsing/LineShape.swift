/// What the grouping needs to know about one line: everything is judged on the line's content after
/// a PM2 date prefix, so fork mode's per-line prefixes group like unprefixed lines.
package struct LineShape: Sendable {
    package var isBlank = false
    package var isIndented = false
    /// `    at ...`: a stack frame.
    package var isFrame = false
    /// The content ends with `{` or `[`: an object or array continues on the next lines.
    package var opensBlock = false
    /// Starts at column 0 with `}` or `]`.
    package var closesBlock = false
    /// `caused by: ...` or `[cause]: ...` at column 0.
    package var isCause = false
    /// `Node.js v20.20.2`.
    package var isNodeVersion = false
    /// `[eval]:1`, `/srv/app/x.js:12`: the first line of Node's crash banner.
    package var isFileLine = false
    /// Only spaces and `^`: the caret line of the crash banner.
    package var isCaret = false
    /// `{...}` on one line.
    package var isCompleteJSON = false
    /// For a line holding ANSI SGR sequences: whether the last one sets a colour rather than resetting
    /// it. pino-pretty opens the message colour on the header and closes it after a multi-line
    /// message's last line, which sits at column 0. nil when the line has no escape.
    package var leavesColourOpen: Bool?
    /// Starts with `[` (after any PM2 prefix), as a pino-pretty header does.
    package var startsWithBracket = false
    /// Starts with an ASCII letter (after any PM2 prefix), as an error header (`TypeError: ...`) does.
    package var startsWithLetter = false

    package init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { LineShape($0) }
    }

    package init(_ b: UnsafeBufferPointer<UInt8>) {
        var s = 0
        let n = b.count
        if let prefix = PM2Prefix.length(b, 0, n) { s = prefix }
        let e = ByteClass.trimEnd(b, s, n)
        guard s < e else {
            isBlank = true
            return
        }
        let first = b[s]
        let last = b[e - 1]
        if first == UInt8(ascii: "{") {
            isCompleteJSON = last == UInt8(ascii: "}")
            opensBlock = last == UInt8(ascii: "{") || last == UInt8(ascii: "[")
            if !isCompleteJSON { leavesColourOpen = Self.colourState(b, s, e) }
            return
        }
        leavesColourOpen = Self.colourState(b, s, e)
        startsWithBracket = first == UInt8(ascii: "[")
        startsWithLetter = ByteClass.isAlpha(first)
        opensBlock = last == UInt8(ascii: "{") || last == UInt8(ascii: "[")
        if ByteClass.isSpace(first) {
            isIndented = true
            let t = ByteClass.trimStart(b, s, e)
            isFrame = ByteClass.hasPrefix(b, t, e, "at ")
            isCause = ByteClass.hasPrefix(b, t, e, "[cause]:") || ByteClass.hasPrefix(b, t, e, "caused by:")
            var caret = true
            var sawCaret = false
            for i in t..<e {
                if b[i] == UInt8(ascii: "^") { sawCaret = true } else if !ByteClass.isSpace(b[i]) { caret = false; break }
            }
            isCaret = caret && sawCaret
            return
        }
        closesBlock = first == UInt8(ascii: "}") || first == UInt8(ascii: "]")
        isCause = ByteClass.hasPrefix(b, s, e, "caused by:") || ByteClass.hasPrefix(b, s, e, "[cause]:")
        isNodeVersion = ByteClass.hasPrefix(b, s, e, "Node.js v")
        if first == UInt8(ascii: "^") {
            isCaret = (s..<e).allSatisfy { b[$0] == UInt8(ascii: "^") || ByteClass.isSpace(b[$0]) }
        }
        // `name:123` with no spaces.
        if e - s >= 3, e - s <= 1024, ByteClass.isDigit(last) {
            var i = e - 1
            while i > s && ByteClass.isDigit(b[i]) { i -= 1 }
            if b[i] == UInt8(ascii: ":") && i > s && e - i <= 8 {
                isFileLine = !(s..<i).contains { ByteClass.isWhite(b[$0]) }
            }
        }
    }

    /// The colours and attributes an escape sequence left set.
    private struct SGRState {
        var foreground = false
        var background = false
        /// Bit n: attribute n (1 bold ... 9 strike) is on.
        var attributes = 0
        var isOpen: Bool { foreground || background || attributes != 0 }

        /// Applies one SGR parameter; true for 38 and 48, whose colour follows in the next ones.
        mutating func apply(_ code: Int) -> Bool {
            switch code {
            case 0: self = SGRState()
            case 1...9: attributes |= 1 << code
            case 21: attributes &= ~(1 << 1)
            case 22: attributes &= ~(1 << 1 | 1 << 2)
            case 23...29 where code != 26: attributes &= ~(1 << (code - 20))
            case 30...37, 90...97: foreground = true
            case 39: foreground = false
            case 40...47, 100...107: background = true
            case 49: background = false
            case 38:
                foreground = true
                return true
            case 48:
                background = true
                return true
            default: break
            }
            return false
        }
    }

    /// See `leavesColourOpen`.
    private static func colourState(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool? {
        var open: Bool? = nil
        var sgr = SGRState()
        var i = start
        while i < end {
            guard b[i] == 0x1B else {
                i += 1
                continue
            }
            guard i + 1 < end, b[i + 1] == UInt8(ascii: "[") else {
                i += 1
                continue
            }
            var j = i + 2
            while j < end && (ByteClass.isDigit(b[j]) || b[j] == UInt8(ascii: ";")) { j += 1 }
            if j < end && b[j] == UInt8(ascii: "m") {
                // The state after every parameter of the line's codes, not the last code's alone:
                // open while a foreground or background colour or an attribute is set at the
                // line's end. 0 (or none) resets all; 39 and 49 the colours; 22-29 the attributes
                // (chalk's and picocolors' underline ends with 24: taken for a colour left open,
                // the 64 lines after it joined the record, a JSON record among them); 38 and 48
                // carry 5;n or 2;r;g;b, skipped.
                // Read as they come (no array an escape code: pino-pretty colours every line).
                var value = 0
                var digits = 0
                var extended = false
                var skip = 0
                for k in (i + 2)...j {
                    if k < j, ByteClass.isDigit(b[k]) {
                        value = min(value * 10 + Int(b[k] &- 0x30), 1_000)
                        digits += 1
                        continue
                    }
                    let code = digits == 0 ? 0 : value
                    value = 0
                    digits = 0
                    if extended {
                        // After 38 or 48: 5;n or 2;r;g;b; any other value is taken alone.
                        extended = false
                        skip = code == 5 ? 1 : code == 2 ? 3 : 0
                    } else if skip > 0 {
                        skip -= 1
                    } else {
                        extended = sgr.apply(code)
                    }
                }
                open = sgr.isOpen
            }
            i = j
        }
        return open
    }
}
