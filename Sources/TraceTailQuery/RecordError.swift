/// The error a record carries, for reading on a terminal: its message and stack frames, from a
/// JSON `err`/`error` object (pino, bunyan, winston), or from the stack lines of the text itself
/// (a pino-pretty `err:` block, `console.error` of an Error, a crash banner).
package struct RecordError: Sendable, Equatable {
    /// `Error: publish failed: ECONNRESET`, or nil when no message line was found.
    package var message: String?
    /// The frames (`at ...`) and `caused by:` lines, trimmed.
    package var stack: [String]

    package init(message: String?, stack: [String]) {
        self.message = message
        self.stack = stack
    }

    /// The error of a record's original text, or nil when it carries none.
    package init?(raw: [UInt8]) {
        let text = String(decoding: raw, as: UTF8.self)
        if let object = Self.jsonErrorObject(text) {
            let type = Self.jsonString(in: object, key: "type") ?? Self.jsonString(in: object, key: "name")
            let message = Self.jsonString(in: object, key: "message")
            let stack = Self.jsonString(in: object, key: "stack").map(Self.frames) ?? []
            guard message != nil || !stack.isEmpty else { return nil }
            let named = message.map { message in type.map { "\($0): \(message)" } ?? message }
            self.init(message: named, stack: stack)
            return
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard let first = lines.firstIndex(where: Self.isFrame) else { return nil }
        // The message is the line just before the first frame (`TypeError: ...`), when it names one.
        let before = lines[..<first].last(where: { !$0.isEmpty })
        let message = before.flatMap { $0.contains("Error") || $0.contains("Exception") ? String($0) : nil }
        self.init(message: message.map(Self.unquoted), stack: Self.frames(lines[first...].joined(separator: "\n")))
    }

    static func isFrame(_ line: Substring) -> Bool {
        line.hasPrefix("at ") || line.hasPrefix("caused by:") || line.hasPrefix("Caused by:")
    }

    /// The frame lines of a stack text (its first line, the message, is left out).
    static func frames(_ stack: String) -> [String] {
        stack.split(separator: "\n").map { $0.trimmingSpaces }.filter(isFrame).map(String.init)
    }

    static func unquoted(_ text: String) -> String {
        var t = Substring(text)
        if t.hasPrefix("\"") { t = t.dropFirst() }
        if t.hasSuffix("\",") { t = t.dropLast(2) } else if t.hasSuffix("\"") { t = t.dropLast() }
        return String(t)
    }

    /// The text of the `err`, `error` or `exception` object of a JSON record, from its `{`.
    static func jsonErrorObject(_ text: String) -> Substring? {
        guard let open = text.firstIndex(of: "{") else { return nil }
        let json = text[open...]
        for key in ["\"err\":{", "\"error\":{", "\"exception\":{", "\"err\": {", "\"error\": {"] {
            if let range = json.firstRange(of: key) { return json[range.upperBound...] }
        }
        return nil
    }

    /// The string value of `"key":"..."` in JSON text, escapes decoded; nil when absent.
    static func jsonString(in json: Substring, key: String) -> String? {
        guard let keyRange = json.firstRange(of: "\"\(key)\":") else { return nil }
        var index = keyRange.upperBound
        while index < json.endIndex, json[index] == " " { index = json.index(after: index) }
        guard index < json.endIndex, json[index] == "\"" else { return nil }
        index = json.index(after: index)
        var out = ""
        var scalars = json[index...].unicodeScalars.makeIterator()
        while let c = scalars.next() {
            switch c {
            case "\"": return out
            case "\\":
                guard let e = scalars.next() else { return out }
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": break
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let h = scalars.next() { hex.unicodeScalars.append(h) } }
                    if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { out.unicodeScalars.append(scalar) }
                default: out.unicodeScalars.append(e)
                }
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
        return s
    }
}
