/// What a PM2 log file's name says: the app, the stream, the process id of a `-<id>` file, and
/// whether it is a rotated copy (`__<date>.log`, `.log.1`, `.gz`).
package struct PM2FileName: Hashable, Sendable {
    package var app: String
    package var stream: LogStream
    package var instance: Int?
    /// For a rotated copy, the name of the live file it was copied from (`api-out.log`).
    package var rotatedFrom: String?
    package var isCompressed: Bool

    package var isRotatedCopy: Bool { rotatedFrom != nil }

    package init(app: String, stream: LogStream, instance: Int? = nil, rotatedFrom: String? = nil, isCompressed: Bool = false) {
        self.app = app
        self.stream = stream
        self.instance = instance
        self.rotatedFrom = rotatedFrom
        self.isCompressed = isCompressed
    }

    /// Parses a file name (no directory). Returns `nil` for names that are not PM2 logs at all.
    package init?(_ name: String) {
        var base = Substring(name)
        var compressed = false
        if base.hasSuffix(".gz") {
            compressed = true
            base = base.dropLast(3)
        }
        var rotated = false
        // System logrotate: `api-out.log.1`.
        if let dot = base.lastIndex(of: "."), base[base.index(after: dot)...].allSatisfy(\.isNumber),
           base.index(after: dot) < base.endIndex, base[..<dot].hasSuffix(".log")
        {
            base = base[..<dot]
            rotated = true
        }
        guard base.hasSuffix(".log") else { return nil }
        base = base.dropLast(4)
        // pm2-logrotate: `api-out__2026-07-02_00-00-00.log`: the last `__` and its date, in any
        // `dateFormat` (`__Jul-02` too). Not when what follows the `__` ends as a live file's
        // name does (`-out`, `-error`, `-err`, with a process id or not): an app may have `__` in
        // its name, and `my__api-out.log` is a live file, not a copy of `my.log`.
        if let marker = base.indices.last(where: { base[$0...].hasPrefix("__") }),
           !Self.endsLikeLiveName(base[base.index(marker, offsetBy: 2)...])
        {
            base = base[..<marker]
            rotated = true
        }
        guard !base.isEmpty else { return nil }

        var instance: Int?
        if let dash = base.lastIndex(of: "-"), let number = Int(base[base.index(after: dash)...]),
           base[..<dash].hasSuffix("-out") || base[..<dash].hasSuffix("-error")
        {
            instance = number
            base = base[..<dash]
        }
        let stream: LogStream
        if base.hasSuffix("-out") {
            stream = .out
            base = base.dropLast(4)
        } else if base.hasSuffix("-error") {
            stream = .err
            base = base.dropLast(6)
        } else if base.hasSuffix("-err") {
            stream = .err
            base = base.dropLast(4)
        } else {
            stream = .combined
        }
        guard !base.isEmpty else { return nil }
        self.app = String(base)
        self.stream = stream
        self.instance = instance
        self.isCompressed = compressed
        if rotated {
            let streamPart = stream == .out ? "-out" : stream == .err ? "-error" : ""
            let instancePart = instance.map { "-\($0)" } ?? ""
            self.rotatedFrom = "\(base)\(streamPart)\(instancePart).log"
        } else {
            self.rotatedFrom = nil
        }
    }

    /// `api-out`, `api-error-3`, `api-err`: the end of a live out or error file's name.
    private static func endsLikeLiveName(_ text: Substring) -> Bool {
        var text = text
        if let dash = text.lastIndex(of: "-"), !text[text.index(after: dash)...].isEmpty,
           text[text.index(after: dash)...].allSatisfy({ $0.isASCII && $0.isNumber })
        {
            text = text[..<dash]
        }
        return ["-out", "-error", "-err"].contains { text.hasSuffix($0) }
    }
}
