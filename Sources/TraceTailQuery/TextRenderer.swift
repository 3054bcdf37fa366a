import TraceTailCore

/// Plain-text output for the command line: a trace's span tree and records one per line,
/// coloured with ANSI escapes when asked to (on a terminal).
package struct TextRenderer: Sendable {
    package let presenter: RecordPresenter
    package let colour: Bool
    /// Each record's source starts with its host (`api-1:orchestrator/out`): over a fleet store.
    package var showsHosts = false

    package init(presenter: RecordPresenter, colour: Bool, showsHosts: Bool = false) {
        self.presenter = presenter
        self.colour = colour
        self.showsHosts = showsHosts
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", yellow = "33", cyan = "36", magenta = "35"
    }

    func paint(_ text: String, _ style: Style) -> String {
        colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Width of the source column (`agent-research#2/err`); longer names push the line out.
    static let sourceWidth = 22

    /// One record: time, app (#instance) and stream, level, message, in aligned columns; an
    /// error's own message follows the record's (`task failed: Error: publish failed`).
    package func line(_ stored: StoredRecord) -> String {
        lines(stored, stack: false)[0]
    }

    /// The record's line and, with `stack`, its error's stack frames indented under it.
    package func lines(_ stored: StoredRecord, stack: Bool) -> [String] {
        let fields = presenter.fields(of: stored)
        let level = stored.record.level?.name.uppercased() ?? "-"
        let paddedLevel = level.padding(5)
        let paintedLevel: String
        switch stored.effectiveLevel {
        case .error...: paintedLevel = paint(paddedLevel, .red)
        case .warn..<LogLevel.error: paintedLevel = paint(paddedLevel, .yellow)
        default: paintedLevel = paddedLevel
        }
        let source = (showsHosts ? stored.file.host + ":" : "") + stored.file.app + (stored.file.instance.map { "#\($0)" } ?? "") + "/" + (stored.file.stream == .err ? "err" : "out")
        var message = fields.message
        let error = RecordError(raw: stored.record.raw)
        if let text = error?.message, !message.contains(text) {
            message += message.isEmpty ? text : " \u{2014} " + paint(text, .red)
        }
        var out = ["\(paint(Timestamp.rfc3339(stored.record.time), .dim)) \(paint(source.padding(Self.sourceWidth), .cyan)) \(paintedLevel) \(message)"]
        if stack, let frames = error?.stack {
            out += frames.map { paint("    " + $0, .dim) }
        }
        return out
    }

    /// The line that says an answer is partial (damaged blocks skipped), as `partial` does in JSON.
    package static func partialNote(unreadableBlocks: Int) -> String? {
        guard unreadableBlocks > 0 else { return nil }
        return "(partial: \(unreadableBlocks) damaged block\(unreadableBlocks == 1 ? "" : "s") skipped; tracetail stats --check lists them)"
    }

    /// The summary: a header, counts per level, then the span tree drawn with box characters.
    package func overview(_ overview: TraceOverview) -> [String] {
        var lines: [String] = []
        lines.append("\(paint("trace", .bold)) \(paint(overview.traceID, .magenta))")
        lines.append("  \(Timestamp.rfc3339(overview.firstTime)) .. \(Timestamp.rfc3339(overview.lastTime)) (\(overview.durationMillis) ms)")
        let errors = overview.errors == 1 ? "1 error" : "\(overview.errors) errors"
        lines.append("  \(overview.records) records, \(overview.errors > 0 ? paint(errors, .red) : errors), apps: \(overview.apps.joined(separator: ", "))")
        lines.append("  levels: " + overview.levels.map { "\($0.level.name) \($0.count)" }.joined(separator: ", "))
        if overview.truncated { lines.append("  (summary of the first \(overview.records) records only)") }
        if let partial = Self.partialNote(unreadableBlocks: overview.unreadableBlocks) { lines.append("  " + partial) }
        lines.append("\(paint("spans", .bold)) (\(overview.spanCount))")
        // Depth-first with an explicit stack: (node, prefix for its line, prefix for its children).
        var stack: [(node: SpanNode, prefix: String, childPrefix: String, root: Bool)] = []
        for (index, root) in overview.spans.enumerated().reversed() {
            let last = index == overview.spans.count - 1
            stack.append((root, last ? "└─ " : "├─ ", last ? "   " : "│  ", true))
        }
        while let (node, prefix, childPrefix, root) = stack.popLast() {
            lines.append(prefix + span(node, root: root))
            for (index, child) in node.children.enumerated().reversed() {
                let last = index == node.children.count - 1
                stack.append((child, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "), false))
            }
        }
        if overview.unspannedRecords > 0 {
            lines.append("   \(overview.unspannedRecords) record\(overview.unspannedRecords == 1 ? "" : "s") without a span")
        }
        return lines
    }

    /// A root that names a parent (one with no records in this trace) says so.
    private func span(_ node: SpanNode, root: Bool) -> String {
        let errors = node.errors == 0 ? "" : " " + paint(node.errors == 1 ? "1 error" : "\(node.errors) errors", .red)
        let records = node.records == 1 ? "1 record" : "\(node.records) records"
        let parent = root ? node.parentSpanID.map { paint(" (parent \($0))", .dim) } ?? "" : ""
        return "\(paint(node.spanID, .cyan)) \(node.apps.joined(separator: ",")) \(records)\(errors) " +
            paint("\(Timestamp.rfc3339(node.firstTime)) +\(node.durationMillis) ms", .dim) + parent
    }
}

extension String {
    /// Padded with spaces to `width` characters (longer strings are left as they are).
    package func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// Padded with spaces on the left to `width` characters (numbers in columns).
    package func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
