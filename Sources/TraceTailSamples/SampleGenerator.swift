/// Where one generated record went.
package struct SampleRecordInfo: Sendable, Equatable {
    /// Index into `layout.files`.
    package var file: Int
    package var time: Int64
    package var level: UInt8
    /// The trace's 128-bit id, nil for a record without trace context.
    package var trace: (high: UInt64, low: UInt64)?
    package var shape: RecordShape

    package static func == (lhs: SampleRecordInfo, rhs: SampleRecordInfo) -> Bool {
        lhs.file == rhs.file && lhs.time == rhs.time && lhs.level == rhs.level && lhs.shape == rhs.shape
            && lhs.trace?.high == rhs.trace?.high && lhs.trace?.low == rhs.trace?.low
    }
}

/// One generated record: the file it belongs to and its exact bytes (ending in `\n`).
package struct SampleRecord: Sendable, Equatable {
    package var fileName: String
    package var bytes: [UInt8]
    package var info: SampleRecordInfo
}

/// Generates the records of a realistic PM2 log directory: an api cluster, an orchestrator and
/// agent workers handling many workflows at once, one trace per workflow. Deterministic: the same
/// options give the same records. Counts every record it produces, for the manifest.
package struct SampleGenerator: Sendable {
    package private(set) var options: SampleOptions
    package private(set) var layout: SampleLayout
    var random: SampleRandom
    let renderer: RecordRenderer
    var clock: Double
    var lastTime: Int64
    var active: [ActiveTrace] = []
    var finished: [TraceStats] = []
    var fileStats: [FileStats]
    var shapeCounts = [Int](repeating: 0, count: RecordShape.allCases.count)
    var pendingTraced = 0
    var taskCounter = 1000
    var traceOrdinal = 0
    var requestCounter = 0
    /// The orchestrator's stdout: records before `rotationTime` go to the rotated copy.
    var rotation: (live: Int, copy: Int, time: Int64)?
    var fields = RecordFields()
    var inspectScratch: [UInt8] = []
    var inspectEnds: [Int] = []

    /// Records produced so far.
    package private(set) var emitted = 0

    package init(options: SampleOptions) throws(SampleError) {
        try options.validate()
        self.options = options
        var layout = SampleLayout(options: options)
        random = SampleRandom(seed: options.seed)
        clock = Double(options.start)
        lastTime = options.start
        if options.rotatedCopy, let records = options.records {
            // pm2-logrotate ran a third of the way through, at a whole second.
            let at = options.start + Int64(Double(records) * options.meanGapMilliseconds / 3)
            let time = at - at % 1000 + 1000
            let live = 2 * layout.orchestratorProcess
            let copy = layout.addRotatedCopy(of: live, at: time)
            rotation = (live, copy, time)
        }
        self.layout = layout
        renderer = RecordRenderer(layout: layout)
        fileStats = [FileStats](repeating: FileStats(), count: layout.files.count)
        fields.extras.reserveCapacity(8)
    }

    /// Lets the generator go on past its record budget (live mode after a batch): the workflows in
    /// flight continue and new ones start.
    package mutating func removeRecordLimit() {
        options.records = nil
    }

    /// Whether the record budget (`options.records`) is used up.
    package var isFinished: Bool {
        guard let records = options.records else { return false }
        return emitted >= records
    }

    /// The next record as a value (allocates; for tests and live appends).
    package mutating func next(at time: Int64? = nil) -> SampleRecord? {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512)
        guard let info = next(at: time, appendingTo: &buffer) else { return nil }
        return SampleRecord(fileName: layout.files[info.file].name, bytes: buffer, info: info)
    }

    /// Appends the next record's bytes to `out` and says which file they belong to; nil when the
    /// record budget is used up. `time` (epoch ms) replaces the generator's own clock (live mode);
    /// times never go backwards.
    package mutating func next(at time: Int64? = nil, appendingTo out: inout [UInt8]) -> SampleRecordInfo? {
        var remaining = Int.max
        if let records = options.records {
            remaining = records - emitted
            if remaining <= 0 { return nil }
        }
        // Keep the workflows in flight, within the budget, leaving the untraced share its room.
        let tracedBudget = remaining == .max ? Int.max : Int(Double(remaining) * (1 - options.untracedShare))
        while active.count < options.tracesInFlight {
            let room = remaining == .max ? Int.max : tracedBudget - pendingTraced
            guard room >= 10 else { break }
            startTrace(count: min(random.inRange(10...50), room))
        }
        let now = advanceClock(to: time)
        let before = out.count
        let untracedAllowed = remaining > pendingTraced
        let info: SampleRecordInfo
        if active.isEmpty || (untracedAllowed && random.chance(options.untracedShare)) {
            info = emitUntraced(time: now, into: &out)
        } else {
            let slot = random.below(active.count)
            info = emitTraced(slot: slot, time: now, into: &out)
        }
        fileStats[info.file].bytes += Int64(out.count - before)
        emitted += 1
        return info
    }

    mutating func advanceClock(to time: Int64?) -> Int64 {
        if let time {
            lastTime = max(lastTime, time)
            clock = max(clock, Double(lastTime))
        } else {
            clock += random.unit() * 2 * options.meanGapMilliseconds
            lastTime = max(lastTime, Int64(clock))
        }
        return lastTime
    }

    mutating func startTrace(count: Int) {
        let id = random.uuid()
        let workflow = random.uuid()
        let events = TraceScript.plan(count: count, layout: layout, taskCounter: &taskCounter, random: &random)
        traceOrdinal += 1
        let stats = TraceStats(high: id.high, low: id.low, workflowHigh: workflow.high, workflowLow: workflow.low, ordinal: traceOrdinal)
        active.append(ActiveTrace(high: id.high, low: id.low, workflowHigh: workflow.high, workflowLow: workflow.low, events: events, clientSpan: random.nonZero(), stats: stats))
        pendingTraced += events.count
    }

    // MARK: traced records

    mutating func emitTraced(slot: Int, time: Int64, into out: inout [UInt8]) -> SampleRecordInfo {
        let event = active[slot].events[active[slot].nextEvent]
        active[slot].nextEvent += 1
        pendingTraced -= 1
        let process = Int(event.process)
        fields.reset(time: time, level: event.level, process: process)
        fields.hasTrace = true
        fields.high = active[slot].high
        fields.low = active[slot].low
        fields.spelling = pickSpelling()
        fields.span = event.span
        fields.parentSpan = event.parentSpan
        fields.task = event.task
        fields.detail = Int(event.detail)
        // The orchestrator's records and an agent's first one name the workflow; the agent's
        // later records name only their task.
        if layout.processes[process].role == .orchestrator || event.kind == .taskReceived {
            fields.hasWorkflow = true
            fields.workflowHigh = active[slot].workflowHigh
            fields.workflowLow = active[slot].workflowLow
        }
        describe(event, clientSpan: active[slot].clientSpan, requestID: active[slot].stats.ordinal)
        if options.format == .orchestrator { nameEveryID(slot: slot) }

        let (stream, shape) = render(process: process, inspectAllowed: event.kind != .apiRequest && event.kind != .apiResponse, into: &out)
        let file = fileIndex(process: process, stream: stream, time: time)
        record(file: file, time: time, traced: true)
        active[slot].stats.records += 1
        if event.level >= 50 { active[slot].stats.errors += 1 }
        active[slot].stats.firstTime = min(active[slot].stats.firstTime, time)
        active[slot].stats.lastTime = max(active[slot].stats.lastTime, time)
        active[slot].stats.fileMask |= 1 << UInt64(file)
        let info = SampleRecordInfo(file: file, time: time, level: event.level, trace: (active[slot].high, active[slot].low), shape: shape)
        if active[slot].remaining == 0 {
            finished.append(active[slot].stats)
            active.swapAt(slot, active.count - 1)
            active.removeLast()
        }
        return info
    }

    /// The orchestrator format: every traced record names its workflow, a task (the trace's
    /// first one when the event has none) and a parent span (the client's for the root span),
    /// plus the agent context such records carry, so records are about 395 bytes with five ids.
    mutating func nameEveryID(slot: Int) {
        fields.spelling = .uuid
        fields.hasWorkflow = true
        fields.workflowHigh = active[slot].workflowHigh
        fields.workflowLow = active[slot].workflowLow
        if fields.task < 0 { fields.task = active[slot].events.first { $0.task >= 0 }?.task ?? Int32(truncatingIfNeeded: active[slot].stats.ordinal) }
        if fields.parentSpan == 0 { fields.parentSpan = active[slot].clientSpan }
        fields.extras.append(("agent_type", .text(SampleText.agentQueues[fields.detail % SampleText.agentQueues.count])))
        fields.extras.append(("model", .text("sonnet-4")))
        fields.extras.append(("tokens_in", .int(Int64(200 + fields.detail * 37 % 4000))))
        fields.extras.append(("tokens_out", .int(Int64(20 + fields.detail * 11 % 900))))
    }

    mutating func pickSpelling() -> IDSpelling {
        switch random.below(20) {
        case 0..<12: .uuid
        case 12..<18: .hex
        case 18: .uuidUpper
        default: .hexUpper
        }
    }

    /// Fills the message, marker and extra fields of an event.
    mutating func describe(_ event: TraceEvent, clientSpan: UInt64, requestID: Int) {
        let detail = Int(event.detail)
        switch event.kind {
        case .apiRequest:
            fields.requestID = requestID
            fields.request = .create(clientSpan: clientSpan)
            fields.message = "request received"
        case .apiResponse:
            fields.requestID = requestID
            fields.request = .response(status: event.failed ? 500 : 201, responseTime: 40 + detail * 97 % 4000)
            fields.message = event.failed ? "request errored" : "request completed"
        case .workflowCreated:
            fields.marker = "🔍 [WORKFLOW-TRACE] "
            fields.message = "Workflow created"
            fields.extras.append(("stage", .text("initialization")))
        case .taskPublished:
            fields.marker = "🔍 [WORKFLOW-TRACE] "
            fields.message = "Task created and published"
            fields.extras.append(("queue", .text(SampleText.agentQueues[detail % SampleText.agentQueues.count])))
        case .taskReceived:
            fields.marker = "📥 [AGENT] "
            fields.message = "Task received"
            fields.extras.append(("attempt", .int(1)))
        case .progress:
            fields.marker = "🔍 [WORKFLOW-TRACE] "
            fields.message = SampleText.progress[detail % SampleText.progress.count]
            fields.extras.append(("step", .int(Int64(detail % 7 + 1))))
            if detail % 4 == 0 { fields.extras.append(("duration_ms", .int(Int64(12 + detail * 13 % 900)))) }
        case .retry:
            fields.marker = "⚠️ [WORKFLOW-TRACE] "
            fields.message = SampleText.retries[detail % SampleText.retries.count]
            fields.extras.append(("retry", .int(Int64(1 + detail % 3))))
        case .taskFailed:
            fields.marker = "❌ [WORKFLOW-TRACE] "
            fields.message = "task failed"
            fields.failure = detail % SampleText.failures.count
        case .agentResult:
            fields.marker = event.failed ? "⚠️ [WORKFLOW-TRACE] " : "🔍 [WORKFLOW-TRACE] "
            fields.message = "Agent result received"
            fields.extras.append(("status", .text(event.failed ? "failed" : "completed")))
        case .workflowDone:
            fields.marker = event.failed ? "❌ [WORKFLOW-TRACE] " : "✅ [WORKFLOW-TRACE] "
            fields.message = event.failed ? "Workflow failed" : "Workflow completed"
            if event.failed { fields.failure = detail % SampleText.failures.count }
            fields.extras.append(("duration_ms", .int(Int64(800 + detail * 311 % 20000))))
        }
    }
}
