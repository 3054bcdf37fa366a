/// Finds the ids that `IDFieldOptions` names: one forward pass over a JSON or util.inspect object
/// that keeps the path of keys leading to each value (in one flat buffer, no recursion), and the
/// configured patterns over the record's text. It only fills ids the built-in rules left empty.
package enum IDPathScanner {
    /// Fills the missing ids of `fields` from `b[start..<end]` (a record's content, PM2 prefixes
    /// removed): keys inside the object the record starts with, or the first ` {` on its first line;
    /// then the patterns.
    package static func apply(_ options: IDFieldOptions, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, to fields: inout RecordFields) {
        if !options.keys.isEmpty, let open = objectStart(b, start, end) {
            let paths = options.paths
            var found: [IDFieldOptions.Kind: ValueRef] = [:]
            scan(b, open, end, paths: paths, into: &found)
            for (kind, ref) in found { fill(kind, ref: ref, b, &fields) }
        }
        guard !options.patterns.isEmpty else { return }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
        for kind in IDFieldOptions.Kind.allCases where isMissing(kind, fields) {
            guard let pattern = options.patterns[kind], let value = pattern.capture(in: text) else { continue }
            fill(kind, text: value, &fields)
        }
    }

    /// A key component as compared: ASCII lower case, without `_` and `-`.
    static func component(_ bytes: [UInt8]) -> [UInt8] {
        bytes.filter { $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "-") }.map(ByteClass.lower)
    }

    private static func objectStart(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        let first = ByteClass.trimStart(b, start, end)
        if first < end && b[first] == UInt8(ascii: "{") { return first }
        let lineEnd = ByteClass.find(0x0A, b, first, end)
        var i = first + 1
        while i < lineEnd {
            if b[i] == UInt8(ascii: "{") && b[i - 1] == UInt8(ascii: " ") { return i }
            i += 1
        }
        return nil
    }

    /// Walks the object at `b[open]`. `stack` holds the components of the open objects' keys; `marks`
    /// where each open object's components begin (an array adds a component no path names).
    private static func scan(_ b: UnsafeBufferPointer<UInt8>, _ open: Int, _ end: Int, paths: [(IDFieldOptions.Kind, [[UInt8]])], into found: inout [IDFieldOptions.Kind: ValueRef]) {
        var stack: [[UInt8]] = []
        var marks: [Int] = []
        var key: [[UInt8]]? = nil
        var depth = -1
        var i = open
        // The value's path is `stack + key`, compared where it lies: building it for every value
        // copied the whole path each time, quadratic in the depth (80,000 nested objects, each
        // with a key, were 6.4 * 10^9 copies; found by a read-only review).
        func take(_ ref: ValueRef) {
            guard let key, !key.isEmpty else { return }
            for (kind, components) in paths where found[kind] == nil {
                let matches: Bool
                if components.count == 1 {
                    matches = key.last == components[0]
                } else if stack.count + key.count == components.count {
                    matches = stack.elementsEqual(components.prefix(stack.count)) && key.elementsEqual(components.suffix(key.count))
                } else {
                    matches = false
                }
                if matches { found[kind] = ref }
            }
        }
        while i < end {
            let ch = b[i]
            switch ch {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                var j = i + 1
                var escaped = false
                while j < end && b[j] != ch && b[j] != 0x0A {
                    if b[j] == UInt8(ascii: "\\") {
                        escaped = true
                        j += 1
                    }
                    j += 1
                }
                let sStart = i + 1
                let sEnd = min(j, end)
                i = min(j + 1, end)
                var k = i
                while k < end && ByteClass.isSpace(b[k]) { k += 1 }
                if k < end && b[k] == UInt8(ascii: ":") {
                    key = keyComponents(b, sStart, sEnd)
                    i = k + 1
                } else {
                    take(ValueRef(start: sStart, end: sEnd, depth: depth, kind: escaped ? .escapedString : .string))
                    key = nil
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                marks.append(stack.count)
                if depth >= 0 { stack += key ?? [[UInt8(ascii: "[")]] }
                if ch == UInt8(ascii: "[") { stack.append([UInt8(ascii: "[")]) }
                key = nil
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let mark = marks.popLast() { stack.removeSubrange(mark...) }
                depth -= 1
                key = nil
                i += 1
                if depth < 0 { return }
            case UInt8(ascii: ","), 0x0A:
                key = nil
                i += 1
            default:
                guard ByteClass.isWord(ch) else {
                    i += 1
                    continue
                }
                let (j, afterColon) = ByteClass.bareWord(b, i, end)
                if let afterColon, key == nil {
                    key = keyComponents(b, i, j)
                    i = afterColon
                } else {
                    take(ValueRef(start: i, end: j, depth: depth, kind: .bare))
                    key = nil
                    i = j
                }
            }
        }
    }

    /// A key's components: a key written with dots (`"trace.id"`, ECS) is a path of its own.
    private static func keyComponents(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> [[UInt8]] {
        Array(UnsafeBufferPointer(rebasing: b[start..<end])).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { component(Array($0)) }
    }

    private static func isMissing(_ kind: IDFieldOptions.Kind, _ f: RecordFields) -> Bool {
        switch kind {
        case .trace: f.traceID == nil
        case .span: f.spanID == nil
        case .parentSpan: f.parentSpanID == nil
        case .workflow: f.workflowID == nil
        case .task: f.taskID == nil
        }
    }

    private static func fill(_ kind: IDFieldOptions.Kind, ref: ValueRef, _ b: UnsafeBufferPointer<UInt8>, _ f: inout RecordFields) {
        guard isMissing(kind, f) else { return }
        switch kind {
        case .trace: f.traceID = IDExtractor.traceID(b, ref)
        case .span: f.spanID = IDExtractor.spanID(b, ref)
        case .parentSpan: f.parentSpanID = IDExtractor.spanID(b, ref)
        case .workflow: f.workflowID = IDExtractor.businessID(.workflow, b, ref)
        case .task: f.taskID = IDExtractor.businessID(.task, b, ref)
        }
    }

    private static func fill(_ kind: IDFieldOptions.Kind, text: Substring, _ f: inout RecordFields) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { m in
            let b = UnsafeBufferPointer(m)
            fill(kind, ref: ValueRef(start: 0, end: b.count, depth: 0, kind: .string), b, &f)
        }
    }
}
