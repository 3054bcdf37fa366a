/// Places to look for ids beyond the built-in ones (`docs/parsing.md`), from the configuration
/// (`ids.*`): key names or dotted paths for each kind of id, and a text pattern per kind. Empty by
/// default, and then the parser does not look at all (no cost).
package struct IDFieldOptions: Sendable, Equatable {
    package enum Kind: Int, Sendable, CaseIterable {
        case trace, span, parentSpan, workflow, task
    }

    /// Per kind: key names (`x-trace-id`, matched at any depth) or dotted paths from the record's top
    /// level (`req.headers.x-trace-id`), compared ignoring ASCII case and `_`/`-`.
    package let keys: [Kind: [String]]
    /// Per kind: a pattern whose one capture is the id, matched against the record's text.
    package let patterns: [Kind: IDPattern]
    /// Nothing configured: the parser does not look (checked once per record, so kept as a flag).
    package let isEmpty: Bool

    package init(keys: [Kind: [String]] = [:], patterns: [Kind: IDPattern] = [:]) {
        self.keys = keys.filter { !$0.value.isEmpty }
        self.patterns = patterns
        self.isEmpty = self.keys.isEmpty && patterns.isEmpty
    }

    /// Each key as its path components, normalized (see `IDPathScanner.component`).
    var paths: [(Kind, [[UInt8]])] {
        keys.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { kind, names in
            names.map { name in (kind, name.split(separator: ".").map { IDPathScanner.component(Array($0.utf8)) }) }
        }
    }
}

/// A regular expression with exactly one capture group: the id.
package struct IDPattern: @unchecked Sendable, Equatable {
    package enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        case captures(Int)

        package var description: String {
            switch self {
            case .invalid(let reason): "is not a regular expression (\(reason))"
            case .captures(let count): "has \(count) capture groups; it needs exactly one, around the id"
            }
        }
    }

    package let source: String
    // `Regex` values are immutable; the wrapper is only not `Sendable` because `AnyRegexOutput` is not
    // declared so.
    let regex: Regex<AnyRegexOutput>

    package init(_ source: String) throws(Failure) {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(source)
        } catch {
            throw .invalid("\(error)")
        }
        let count = Self.captureGroups(source)
        guard count == 1 else { throw .captures(count) }
        self.source = source
        self.regex = regex
    }

    package static func == (a: IDPattern, b: IDPattern) -> Bool { a.source == b.source }

    /// The captured id in `text`, if the pattern matches.
    func capture(in text: String) -> Substring? {
        guard let match = try? regex.firstMatch(in: text), match.output.count > 1 else { return nil }
        return match.output[1].substring
    }

    /// Capturing groups in a pattern: `(` not escaped, not in a class, not `(?:`, `(?=`, `(?!`, `(?<=`,
    /// `(?<!`, `(?>`, or an inline option group (`(?i)`); named groups count.
    static func captureGroups(_ source: String) -> Int {
        let s = Array(source.utf8)
        var count = 0
        var i = 0
        var inClass = false
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if inClass {
                if c == UInt8(ascii: "]") { inClass = false }
            } else if c == UInt8(ascii: "[") {
                inClass = true
            } else if c == UInt8(ascii: "(") {
                if i + 1 < s.count, s[i + 1] == UInt8(ascii: "?") {
                    let rest = s[(i + 2)...]
                    let named = rest.starts(with: "<".utf8) && !rest.starts(with: "<=".utf8) && !rest.starts(with: "<!".utf8)
                        || rest.starts(with: "P<".utf8) || rest.starts(with: "'".utf8)
                    if named { count += 1 }
                } else {
                    count += 1
                }
            }
            i += 1
        }
        return count
    }
}
