import TraceTailCore

/// `GET /workflows/{id}` and `tracetail workflow`: the row, its tasks with what their logs say,
/// the trace's summary, and the findings.
package struct WorkflowAnswer: Sendable {
    package var id: String
    package var database: DatabaseState
    package var workflow: WorkflowRow?
    package var tasks: [CorrelationInput.Task]
    /// The records that carry the workflow id.
    package var logs: LogEvidence
    package var trace: TraceOverview?
    package var findings: [Finding]
}

/// `GET /tasks/{id}` and `tracetail task`.
package struct TaskAnswer: Sendable {
    package var id: String
    package var database: DatabaseState
    package var task: TaskRow?
    package var workflow: WorkflowRow?
    package var logs: LogEvidence
    package var trace: TraceOverview?
    package var findings: [Finding]
}

/// Reads what a correlation answer needs, from the store (through `LogStore`) and the
/// application's rows (through `ApplicationRows`, when configured), and computes the findings
/// (`CorrelationFindings`). A database that fails does not fail the answer: it says so in
/// `database` and the answer comes from the logs alone.
package struct CorrelationReader: Sendable {
    package var store: any LogStore
    package var rows: (any ApplicationRows)?
    /// Records read per id at most; beyond it the figures cover the first ones.
    package var maximumRecords = 100_000
    /// Tasks of one workflow looked at, at most.
    package var maximumTasks = 500

    package init(store: any LogStore, rows: (any ApplicationRows)?) {
        self.store = store
        self.rows = rows
    }

    package func workflow(_ id: RequestedID) async throws -> WorkflowAnswer {
        var (row, database) = await DatabaseState.reading(rows, fallback: nil) { try await $0.workflow(id: id.canonical) }
        var taskRows: [TaskRow] = []
        if database == .ok {
            (taskRows, database) = await DatabaseState.reading(rows, fallback: []) { try await $0.tasks(workflowID: row?.id ?? id.canonical) }
        }
        let (workflowRecords, workflowTruncated) = try await records(id.key)
        let workflowLogs = LogEvidence(workflowRecords, truncated: workflowTruncated)
        if row == nil, workflowRecords.isEmpty, taskRows.isEmpty, !isUnreachable(database) {
            throw QueryError.notFound(database == .ok
                ? "no Workflow row and no records for workflow id '\(id.canonical)'"
                : "no records for workflow id '\(id.canonical)'")
        }
        // The trace: the row's, unless no record carries it (then the one the records carry, so
        // that the answer still shows the workflow's span tree).
        var traceKey = row?.traceID.flatMap(TraceID.init)?.key ?? workflowLogs.mainTrace
        var (traceRecords, traceTruncated): ([StoredRecord], Bool) = ([], false)
        if let key = traceKey { (traceRecords, traceTruncated) = try await records(key, own: true) }
        if traceRecords.isEmpty, let logged = workflowLogs.mainTrace, logged != traceKey {
            traceKey = logged
            (traceRecords, traceTruncated) = try await records(logged, own: true)
        }
        // The tasks: the database's, then those the logs name (by first record) that it lacks.
        // A trace record naming another workflow is that workflow's: one trace may cover several
        // (a batch request, a client reusing its x-trace-id), and their tasks were listed here.
        // Each row with its own entry (not found again by id: rows whose task_id is NULL all had
        // the id "" and were shown as the first of them).
        // A task is another workflow's when a record ties it to another and none to this one
        // (decided per task: its first record may carry no workflow id, a later one may).
        var entries: [(id: String, row: TaskRow?)] = taskRows.map { ($0.id, $0) }
        var known = Set(taskRows.compactMap { BusinessID(.task, $0.id)?.key })
        var ties: [IDKey: (this: Bool, other: Bool)] = [:]
        for stored in workflowRecords + traceRecords {
            guard let task = stored.record.task, let workflow = stored.record.workflow else { continue }
            if workflow == id.key { ties[task, default: (false, false)].this = true } else { ties[task, default: (false, false)].other = true }
        }
        for stored in workflowRecords + traceRecords {
            guard let task = stored.record.task else { continue }
            if let tie = ties[task], tie.other, !tie.this { continue }
            if known.insert(task).inserted, let business = BusinessID(key: task) {
                entries.append((business.canonical, nil))
            }
        }
        var tasks: [CorrelationInput.Task] = []
        for (taskID, row) in entries.prefix(maximumTasks) {
            let logs: LogEvidence
            if let key = BusinessID(.task, taskID)?.key {
                let (found, truncated) = try await records(key)
                logs = LogEvidence(found, truncated: truncated)
            } else {
                logs = LogEvidence()
            }
            tasks.append(CorrelationInput.Task(id: taskID, row: row, logs: logs))
        }
        var input = CorrelationInput(
            workflowID: row?.id ?? id.canonical, workflow: row, workflowLogs: workflowLogs,
            traceLogs: LogEvidence(traceRecords, truncated: traceTruncated), tasks: tasks, carried: [])
        input.carried = try await carried(input.namedIDs)
        return WorkflowAnswer(
            id: id.canonical, database: database, workflow: row, tasks: tasks, logs: workflowLogs,
            trace: try await overview(traceKey), findings: CorrelationFindings.evaluate(input))
    }

    package func task(_ id: RequestedID) async throws -> TaskAnswer {
        var (row, database) = await DatabaseState.reading(rows, fallback: nil) { try await $0.task(id: id.canonical) }
        let (taskRecords, taskTruncated) = try await records(id.key)
        let logs = LogEvidence(taskRecords, truncated: taskTruncated)
        if row == nil, taskRecords.isEmpty, !isUnreachable(database) {
            throw QueryError.notFound(database == .ok
                ? "no AgentTask row and no records for task id '\(id.canonical)'"
                : "no records for task id '\(id.canonical)'")
        }
        let workflowID = row?.workflowID ?? taskRecords.lazy.compactMap(\.record.workflow).first.flatMap(BusinessID.init(key:))?.canonical
        var workflow: WorkflowRow?
        if database == .ok, let workflowID {
            (workflow, database) = await DatabaseState.reading(rows, fallback: nil) { try await $0.workflow(id: workflowID) }
        }
        var traceKey = row?.traceID.flatMap(TraceID.init)?.key ?? workflow?.traceID.flatMap(TraceID.init)?.key ?? logs.mainTrace
        var (traceRecords, traceTruncated): ([StoredRecord], Bool) = ([], false)
        if let key = traceKey { (traceRecords, traceTruncated) = try await records(key, own: true) }
        if traceRecords.isEmpty, let logged = logs.mainTrace, logged != traceKey {
            traceKey = logged
            (traceRecords, traceTruncated) = try await records(logged, own: true)
        }
        let taskID = row?.id ?? id.canonical
        var input = CorrelationInput(
            workflowID: workflowID, workflow: workflow, workflowLogs: LogEvidence(),
            traceLogs: LogEvidence(traceRecords, truncated: traceTruncated),
            tasks: [CorrelationInput.Task(id: taskID, row: row, logs: logs)], carried: [], includeWorkflow: false)
        input.carried = try await carried(input.namedIDs)
        return TaskAnswer(
            id: id.canonical, database: database, task: row, workflow: workflow, logs: logs,
            trace: try await overview(traceKey), findings: CorrelationFindings.evaluate(input))
    }

    /// The rows that hold a trace id (the reverse direction); empty when no database is configured
    /// or it does not answer, as the state says.
    package func rows(forTrace id: RequestedID) async -> (rows: TraceRows, database: DatabaseState) {
        await DatabaseState.reading(rows, fallback: TraceRows()) { try await $0.rows(traceID: id.canonical) }
    }

    private func isUnreachable(_ state: DatabaseState) -> Bool {
        if case .unreachable = state { return true }
        return false
    }

    /// The records of an id in time order, at most `maximumRecords`; true when there are more.
    /// With `own`, a trace's records are those whose own trace it is: not those that only name it
    /// as another trace id (the id a caller sent, logged by an app that ran under its own).
    private func records(_ key: IDKey, own: Bool = false) async throws -> ([StoredRecord], Bool) {
        var all: [StoredRecord] = []
        var cursor: RecordCursor?
        repeat {
            var query = RecordQuery(key: key, limit: min(10_000, maximumRecords - all.count), after: cursor)
            if own { query.predicate = { record, _ in record.trace == key } }
            let page = try await store.records(query)
            all += page.records
            cursor = page.next
        } while cursor != nil && all.count < maximumRecords
        return (all, cursor != nil)
    }

    private func carried(_ keys: [IDKey]) async throws -> Set<IDKey> {
        var carried = Set<IDKey>()
        for key in Set(keys) where try await !store.records(RecordQuery(key: key, limit: 1)).records.isEmpty {
            carried.insert(key)
        }
        return carried
    }

    private func overview(_ key: IDKey?) async throws -> TraceOverview? {
        guard let key, let trace = TraceID(key: key) else { return nil }
        do {
            return try await TraceOverviewReader(store: store).overview(of: RequestedID(kind: .trace, text: trace.canonical))
        } catch QueryError.notFound {
            return nil
        }
    }
}
