/// What one record of a trace says; the renderer turns it into bytes in the process's style.
package enum EventKind: UInt8, Sendable {
    case apiRequest
    case workflowCreated
    case taskPublished
    case taskReceived
    case progress
    case retry
    case taskFailed
    case agentResult
    case workflowDone
    case apiResponse
}

/// One planned record of a trace.
struct TraceEvent: Sendable {
    var kind: EventKind
    var process: Int32
    var level: UInt8
    /// For a result or the workflow's end: whether it failed.
    var failed: Bool
    /// A small number picking a message variant, a step number or an error.
    var detail: UInt16
    var task: Int32
    var span: UInt64
    var parentSpan: UInt64
}

/// A workflow being written: its ids and the records still to come.
struct ActiveTrace: Sendable {
    var high: UInt64
    var low: UInt64
    var workflowHigh: UInt64
    var workflowLow: UInt64
    var events: [TraceEvent]
    var nextEvent = 0
    /// The client's span from the incoming `traceparent`.
    var clientSpan: UInt64
    var stats: TraceStats

    var remaining: Int { events.count - nextEvent }
}

/// Plans a workflow of exactly `count` records: a request reaches an api process, the orchestrator
/// creates the workflow and publishes tasks, agents work on them (and sometimes fail), the
/// orchestrator collects the results and the api answers. Spans form one tree across the apps.
enum TraceScript {
    static func plan(count: Int, layout: SampleLayout, taskCounter: inout Int, random: inout SampleRandom) -> [TraceEvent] {
        precondition(count >= 7)
        let maxTasks = min(4, (count - 4) / 3)
        let tasks = random.inRange(1...max(1, min(maxTasks, 1 + (count - 10) / 10 + random.below(2))))
        var extras = count - (4 + 3 * tasks)
        let failingTask = random.chance(0.25) ? random.below(tasks) : -1

        let api = Int32(layout.apiProcesses[random.below(layout.apiProcesses.count)])
        let orchestrator = Int32(layout.orchestratorProcess)
        let apiSpan = random.nonZero()
        let workflowSpan = random.nonZero()
        var events: [TraceEvent] = []
        events.reserveCapacity(count)
        events.append(TraceEvent(kind: .apiRequest, process: api, level: 30, failed: false, detail: 0, task: -1, span: apiSpan, parentSpan: 0))
        events.append(TraceEvent(kind: .workflowCreated, process: orchestrator, level: 30, failed: false, detail: 0, task: -1, span: workflowSpan, parentSpan: apiSpan))

        var taskIDs: [Int32] = []
        var taskSpans: [UInt64] = []
        var taskAgents: [Int32] = []
        for _ in 0..<tasks {
            taskCounter += 1
            taskIDs.append(Int32(truncatingIfNeeded: taskCounter))
            let span = random.nonZero()
            taskSpans.append(span)
            taskAgents.append(Int32(layout.agentProcesses[random.below(layout.agentProcesses.count)]))
            events.append(TraceEvent(kind: .taskPublished, process: orchestrator, level: 30, failed: false, detail: UInt16(random.below(4)), task: taskIDs.last!, span: span, parentSpan: workflowSpan))
        }
        // Spread the progress steps over the tasks.
        var steps = [Int](repeating: 0, count: tasks)
        while extras > 0 {
            steps[random.below(tasks)] += 1
            extras -= 1
        }
        for t in 0..<tasks {
            let agent = taskAgents[t]
            let agentSpan = random.nonZero()
            events.append(TraceEvent(kind: .taskReceived, process: agent, level: 30, failed: false, detail: 0, task: taskIDs[t], span: agentSpan, parentSpan: taskSpans[t]))
            let failing = t == failingTask
            for step in 0..<steps[t] {
                let last = step == steps[t] - 1
                var kind = EventKind.progress
                var level: UInt8 = random.chance(0.2) ? 20 : 30
                if failing && last {
                    kind = .taskFailed
                    level = 50
                } else if random.chance(0.06) {
                    kind = .retry
                    level = 40
                }
                let detail = UInt16(random.below(64))
                events.append(TraceEvent(kind: kind, process: agent, level: level, failed: kind == .taskFailed, detail: detail, task: taskIDs[t], span: random.nonZero(), parentSpan: agentSpan))
            }
            let failed = failing && steps[t] > 0
            events.append(TraceEvent(kind: .agentResult, process: orchestrator, level: failed ? 40 : 30, failed: failed, detail: UInt16(random.below(64)), task: taskIDs[t], span: taskSpans[t], parentSpan: workflowSpan))
        }
        let workflowFailed = failingTask >= 0 && steps[failingTask] > 0
        events.append(TraceEvent(kind: .workflowDone, process: orchestrator, level: workflowFailed ? 50 : 30, failed: workflowFailed, detail: UInt16(random.below(64)), task: -1, span: workflowSpan, parentSpan: apiSpan))
        events.append(TraceEvent(kind: .apiResponse, process: api, level: workflowFailed ? 50 : 30, failed: workflowFailed, detail: UInt16(random.below(64)), task: -1, span: apiSpan, parentSpan: 0))
        return events
    }
}
