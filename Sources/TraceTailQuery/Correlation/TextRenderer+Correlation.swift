import TraceTailCore

// `tracetail workflow`, `task` and `verify` on a terminal: the row, the tasks, the findings, then
// the trace's span tree (`overview`).

extension TextRenderer {
    package func workflow(_ answer: WorkflowAnswer) -> [String] {
        var lines = ["\(paint("workflow", .bold)) \(paint(answer.id, .magenta))  (database: \(database(answer.database)))"]
        lines += row(answer.workflow?.columns, missing: answer.database == .ok ? "no Workflow row" : nil)
        lines.append("  logs: " + summary(answer.logs))
        lines.append("\(paint("tasks", .bold)) (\(answer.tasks.count))")
        for task in answer.tasks {
            let status = task.row?.status.map { " " + $0 } ?? ""
            lines.append("  \(paint(task.id, .cyan))\(status)  " + summary(task.logs))
            if let row = task.row {
                lines.append("    row: " + columns(row.columns))
            } else if answer.database == .ok {
                lines.append("    " + paint("no AgentTask row", .dim))
            }
        }
        lines += findings(answer.findings)
        return lines
    }

    package func task(_ answer: TaskAnswer) -> [String] {
        var lines = ["\(paint("task", .bold)) \(paint(answer.id, .magenta))  (database: \(database(answer.database)))"]
        lines += row(answer.task?.columns, missing: answer.database == .ok ? "no AgentTask row" : nil)
        if let workflow = answer.workflow { lines.append("  workflow: " + columns(workflow.columns)) }
        lines.append("  logs: " + summary(answer.logs))
        lines += findings(answer.findings)
        return lines
    }

    /// `findings (2)` and one line each: severity, kind, message.
    package func findings(_ findings: [Finding]) -> [String] {
        var lines = ["\(paint("findings", .bold)) (\(findings.count))"]
        if findings.isEmpty { lines.append("  none") }
        for finding in findings {
            let severity = finding.severity.rawValue.uppercased().padding(7)
            let painted = finding.severity == .error ? paint(severity, .red) : finding.severity == .warning ? paint(severity, .yellow) : severity
            lines.append("  \(painted) \(finding.kind.rawValue): \(finding.message)")
        }
        return lines
    }

    private func database(_ state: DatabaseState) -> String {
        switch state {
        case .ok: state.text
        case .notConfigured: paint("not configured; from the logs alone", .dim)
        case .unreachable: paint(state.text, .red)
        }
    }

    private func row(_ row: [(name: String, value: RowValue)]?, missing: String?) -> [String] {
        if let row { return ["  row: " + columns(row)] }
        return missing.map { ["  " + paint($0, .dim)] } ?? []
    }

    private func columns(_ row: [(name: String, value: RowValue)]) -> String {
        row.map { "\($0.name)=\($0.value.text ?? "NULL")" }.joined(separator: " ")
    }

    private func summary(_ logs: LogEvidence) -> String {
        guard let first = logs.firstTime, let last = logs.lastTime else { return paint("no records", .dim) }
        let errors = logs.errors == 1 ? "1 error" : "\(logs.errors) errors"
        var text = "\(logs.records) record\(logs.records == 1 ? "" : "s"), \(logs.errors > 0 ? paint(errors, .red) : errors), "
            + "\(Timestamp.rfc3339(first)) .. \(Timestamp.rfc3339(last))"
        if !logs.traceIDs.isEmpty { text += ", trace " + logs.traceIDs.joined(separator: " ") }
        if !logs.spans.isEmpty { text += ", \(logs.spans.count) span\(logs.spans.count == 1 ? "" : "s")" }
        if logs.truncated { text += " (first records only)" }
        return text
    }
}
