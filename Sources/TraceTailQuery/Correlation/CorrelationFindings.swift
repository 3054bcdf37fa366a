import TraceTailCore

/// What the findings are computed from: the rows as values and what the logs say about each id.
package struct CorrelationInput: Sendable {
    package struct Task: Sendable {
        package var id: String
        package var row: TaskRow?
        /// The records that carry the task id.
        package var logs: LogEvidence

        package init(id: String, row: TaskRow?, logs: LogEvidence) {
            self.id = id
            self.row = row
            self.logs = logs
        }
    }

    /// The workflow id asked about, canonical; nil when a task was asked about and its workflow
    /// is not known.
    package var workflowID: String?
    package var workflow: WorkflowRow?
    /// The records that carry the workflow id.
    package var workflowLogs: LogEvidence
    /// The records of the workflow's trace (the row's trace id, else the one its records carry).
    package var traceLogs: LogEvidence
    package var tasks: [Task]
    /// Of the ids the rows name (trace, span, task ids), those that at least one stored record carries.
    package var carried: Set<IDKey>
    /// False for a task's answer: the workflow row's own findings are left to the workflow's.
    package var includeWorkflow: Bool

    package init(
        workflowID: String?, workflow: WorkflowRow?, workflowLogs: LogEvidence, traceLogs: LogEvidence,
        tasks: [Task], carried: Set<IDKey>, includeWorkflow: Bool = true
    ) {
        self.workflowID = workflowID
        self.workflow = workflow
        self.workflowLogs = workflowLogs
        self.traceLogs = traceLogs
        self.tasks = tasks
        self.carried = carried
        self.includeWorkflow = includeWorkflow
    }

    /// Every id a row names that the findings look up in the store.
    package var namedIDs: [IDKey] {
        var keys: [IDKey] = []
        if let workflow {
            if let trace = workflow.traceID.flatMap(TraceID.init) { keys.append(trace.key) }
            if let span = workflow.spanID.flatMap(SpanID.init) { keys.append(span.key) }
        }
        for task in tasks {
            guard let row = task.row else { continue }
            if let id = BusinessID(.task, row.id) { keys.append(id.key) }
            if let trace = row.traceID.flatMap(TraceID.init) { keys.append(trace.key) }
            if let span = row.spanID.flatMap(SpanID.init) { keys.append(span.key) }
        }
        return keys
    }
}

/// The findings: pure, from the rows and the logs' evidence to a list ordered by severity.
package enum CorrelationFindings {
    package static func evaluate(_ input: CorrelationInput) -> [Finding] {
        var findings: [Finding] = []
        let workflowTrace = input.workflow?.traceID.flatMap(TraceID.init)
        if input.includeWorkflow, let workflow = input.workflow {
            findings += rowFindings(workflow, input: input)
        }
        // The trace the records should carry: the row's, or (without a row) the one they carry.
        let stored: TraceID? = input.workflow != nil ? workflowTrace
            : (input.workflowLogs.mainTrace ?? input.traceLogs.mainTrace).flatMap(TraceID.init(key:))
        var incoming = input.workflowLogs.incoming + input.traceLogs.incoming
        for task in input.tasks { incoming += task.logs.incoming }
        findings += customTraces(incoming, stored: stored, input: input)
        if input.includeWorkflow, let workflowID = input.workflowID {
            findings += contextLost(input.workflowLogs, name: "workflow", field: "workflow_id", id: workflowID)
        }
        for task in input.tasks {
            if let row = task.row { findings += taskFindings(row, task.logs, workflowTrace: workflowTrace, input: input) }
            findings += contextLost(task.logs, name: "task", field: "task_id", id: task.id)
        }
        // Errors first; the order within a severity is the order above (stable sort).
        return findings.enumerated().sorted {
            $0.element.severity != $1.element.severity ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
        }.map(\.element)
    }

    private static func canonical(_ key: IDKey?) -> Finding.Value {
        key.flatMap(TraceID.init(key:)).map { .text($0.canonical) } ?? .null
    }

    private static func spanText(_ key: IDKey?) -> Finding.Value {
        key.flatMap(SpanID.init(key:)).map { .text($0.canonical) } ?? .null
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }

    // MARK: The workflow row

    private static func rowFindings(_ row: WorkflowRow, input: CorrelationInput) -> [Finding] {
        var findings: [Finding] = []
        let logs = input.workflowLogs
        let ids: [(name: String, value: Finding.Value)] = [("workflow_id", .text(row.id))]
        if let text = row.traceID, let trace = TraceID(text) {
            let others = logs.traces.filter { $0.key != trace.key }
            if let main = logs.mainTrace, main != trace.key {
                findings.append(Finding(.traceMismatch, .error,
                    "Workflow \(row.id) stores trace_id \(trace.canonical) but \(plural(logs.traces[0].records, "record")) of the workflow carry \(TraceID(key: main)?.canonical ?? "?"); find where the stored trace id is taken from.",
                    ids + [("row_trace_id", .text(trace.canonical)), ("logged_trace_ids", .texts(others.compactMap { TraceID(key: $0.key)?.canonical })),
                           ("records", .number(others.reduce(0) { $0 + $1.records }))]))
            } else {
                if !others.isEmpty {
                    findings.append(Finding(.traceMismatch, .warning,
                        "\(plural(others.reduce(0) { $0 + $1.records }, "record")) of workflow \(row.id) carry another trace id than the stored \(trace.canonical); look for a step that starts a new trace.",
                        ids + [("row_trace_id", .text(trace.canonical)), ("logged_trace_ids", .texts(others.compactMap { TraceID(key: $0.key)?.canonical })),
                               ("records", .number(others.reduce(0) { $0 + $1.records }))]))
                }
                if !input.carried.contains(trace.key) {
                    findings.append(Finding(.noLogs, .error,
                        "No stored record carries trace \(trace.canonical), which workflow \(row.id) stores; check that the apps log it (or that their logs are followed).",
                        ids + [("field", .text("trace_id")), ("trace_id", .text(trace.canonical))]))
                }
            }
        } else if let main = logs.mainTrace {
            findings.append(Finding(.traceMismatch, .error,
                "Workflow \(row.id) stores no trace_id\(row.traceID.map { " ('\($0)' is not a trace id)" } ?? "") but its records carry \(TraceID(key: main)?.canonical ?? "?"); the code that creates the row does not store the trace context.",
                ids + [("row_trace_id", row.traceID.map { .text($0) } ?? .null), ("logged_trace_ids", .texts(logs.traceIDs)),
                       ("records", .number(logs.traces.reduce(0) { $0 + $1.records }))]))
        }
        if let text = row.spanID, let span = SpanID(text), !input.carried.contains(span.key) {
            findings.append(Finding(.noLogs, .warning,
                "No stored record carries span \(span.canonical), the current_span_id of workflow \(row.id); the span was never logged, or the row kept a stale one.",
                ids + [("field", .text("current_span_id")), ("span_id", .text(span.canonical))]))
        }
        let errors = max(logs.errors, input.traceLogs.errors)
        if let finding = status(row.status, errors: errors, records: max(logs.records, input.traceLogs.records), what: "Workflow \(row.id)", ids: ids) {
            findings.append(finding)
        }
        return findings
    }

    // MARK: Incoming trace ids

    private static func customTraces(_ incoming: [IncomingTrace], stored: TraceID?, input: CorrelationInput) -> [Finding] {
        var findings: [Finding] = []
        var seen = Set<String>()
        for header in incoming where header.trace.key != stored?.key && header.trace.key != header.recordTrace {
            guard seen.insert("\(header.header) \(header.trace.canonical)").inserted else { continue }
            let storedText = stored.map { "the stored \($0.canonical)" } ?? "no stored trace id"
            findings.append(Finding(.customTraceIgnored, .error,
                "\(header.app) logged \(header.header == "other" ? "another trace id" : "an incoming \(header.header)") \(header.trace.canonical) but the workflow runs under \(storedText); the incoming trace context is not honoured where the workflow is created.",
                [("workflow_id", input.workflowID.map { .text($0) } ?? .null), ("header", .text(header.header)),
                 ("incoming_trace_id", .text(header.trace.canonical)), ("stored_trace_id", stored.map { .text($0.canonical) } ?? .null),
                 ("app", .text(header.app))]))
        }
        return findings
    }

    // MARK: Tasks

    private static func taskFindings(_ row: TaskRow, _ logs: LogEvidence, workflowTrace: TraceID?, input: CorrelationInput) -> [Finding] {
        var findings: [Finding] = []
        let ids: [(name: String, value: Finding.Value)] = [("task_id", .text(row.id)), ("workflow_id", (row.workflowID ?? input.workflowID).map { .text($0) } ?? .null)]
        // NULL trace fields while the records carry them.
        let expected: [(field: String, stored: String?, value: Finding.Value)] = [
            ("trace_id", row.traceID, canonical(logs.mainTrace)),
            ("span_id", row.spanID, spanText(logs.firstSpan?.span)),
            ("parent_span_id", row.parentSpanID, spanText(logs.firstSpan?.parent)),
        ]
        let missing = expected.filter { $0.stored == nil && $0.value != .null }
        if !missing.isEmpty {
            let fields = missing.map(\.field)
            findings.append(Finding(.taskTraceMissing, .error,
                "AgentTask \(row.id) has NULL \(fields.joined(separator: ", ")) while its \(plural(logs.records, "record")) carry them; the code that creates the task row does not store the trace context (it should hold \(missing.map { "\($0.field) \(text($0.value))" }.joined(separator: ", "))).",
                ids + [("missing", .texts(fields))] + expected.map { (name: "expected_" + $0.field, value: $0.value) }))
        }
        let rowTrace = row.traceID.flatMap(TraceID.init)
        if let rowTrace {
            if let main = logs.mainTrace, main != rowTrace.key {
                findings.append(Finding(.traceMismatch, .error,
                    "AgentTask \(row.id) stores trace_id \(rowTrace.canonical) but its records carry \(TraceID(key: main)?.canonical ?? "?"); find where the task's trace id is taken from.",
                    ids + [("row_trace_id", .text(rowTrace.canonical)), ("logged_trace_ids", .texts(logs.traceIDs.filter { $0 != rowTrace.canonical })),
                           ("records", .number(logs.traces.filter { $0.key != rowTrace.key }.reduce(0) { $0 + $1.records }))]))
            } else if let workflowTrace, workflowTrace != rowTrace {
                findings.append(Finding(.traceMismatch, .error,
                    "AgentTask \(row.id) stores trace_id \(rowTrace.canonical) but its workflow stores \(workflowTrace.canonical); the task was not created in the workflow's trace context.",
                    ids + [("row_trace_id", .text(rowTrace.canonical)), ("workflow_trace_id", .text(workflowTrace.canonical))]))
            } else if !input.carried.contains(rowTrace.key) {
                findings.append(Finding(.noLogs, .error,
                    "No stored record carries trace \(rowTrace.canonical), which AgentTask \(row.id) stores; check that the agent logs it.",
                    ids + [("field", .text("trace_id")), ("trace_id", .text(rowTrace.canonical))]))
            }
        }
        if let id = BusinessID(.task, row.id), !input.carried.contains(id.key) {
            findings.append(Finding(.noLogs, .warning,
                "No stored record carries task id \(row.id); the agent did not log it (or has not started the task).",
                ids + [("field", .text("task_id"))]))
        }
        if let span = row.spanID.flatMap(SpanID.init), !input.carried.contains(span.key) {
            findings.append(Finding(.noLogs, .warning,
                "No stored record carries span \(span.canonical), the span_id of AgentTask \(row.id); the row holds a span the agent never logged in.",
                ids + [("field", .text("span_id")), ("span_id", .text(span.canonical))]))
        }
        if let parent = row.parentSpanID.flatMap(SpanID.init), input.traceLogs.records > 0 {
            let traceSpans = Set(input.traceLogs.spans).union(input.traceLogs.parentSpans)
            if !traceSpans.contains(parent.key) {
                findings.append(Finding(.parentMismatch, .error,
                    "The parent_span_id \(parent.canonical) of AgentTask \(row.id) is not a span of its workflow's trace; the task row took its parent from another context.",
                    ids + [("parent_span_id", .text(parent.canonical)), ("trace_id", canonical(input.traceLogs.mainTrace))]))
            }
        }
        if let finding = status(row.status, errors: logs.errors, records: logs.records, what: "AgentTask \(row.id)", ids: ids) {
            findings.append(finding)
        }
        return findings
    }

    private static func text(_ value: Finding.Value) -> String {
        switch value {
        case .text(let text): text
        case .number(let number): String(number)
        case .texts(let texts): texts.joined(separator: ",")
        case .null: "null"
        }
    }

    // MARK: Shared

    static let failedStatuses: Set<String> = ["failed", "failure", "error", "errored", "crashed", "aborted", "timed_out", "timeout"]
    static let succeededStatuses: Set<String> = ["completed", "complete", "succeeded", "success", "successful", "done", "finished", "ok"]

    private static func status(_ status: String?, errors: Int, records: Int, what: String, ids: [(name: String, value: Finding.Value)]) -> Finding? {
        guard let status, records > 0 else { return nil }
        let normalised = status.lowercased()
        if failedStatuses.contains(normalised), errors == 0 {
            return Finding(.statusMismatch, .warning,
                "\(what) says \(status) but none of its \(plural(records, "record")) is an error; the failure was not logged where it happened.",
                ids + [("status", .text(status)), ("errors", .number(0))])
        }
        if succeededStatuses.contains(normalised), errors > 0 {
            return Finding(.statusMismatch, .warning,
                "\(what) says \(status) but \(plural(errors, "error record")) logged for it; check whether the errors were handled or the status is wrong.",
                ids + [("status", .text(status)), ("errors", .number(errors))])
        }
        return nil
    }

    private static func contextLost(_ logs: LogEvidence, name: String, field: String, id: String) -> [Finding] {
        logs.untracedByApp.map { entry in
            Finding(.contextLost, .warning,
                "\(plural(entry.records, "record")) of \(entry.app) name \(name) \(id) but carry no trace id; the trace context is lost where \(entry.app) logs them.",
                [(field, .text(id)), ("app", .text(entry.app)), ("records", .number(entry.records))])
        }
    }
}
