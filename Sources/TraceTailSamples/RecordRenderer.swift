/// Turns record fields into the exact bytes of each format of FORMATS.md, appending to a buffer.
struct RecordRenderer: Sendable {
    let appNames: [[UInt8]]
    let sourceDirectories: [[UInt8]]
    let pids: [Int]
    let hostname: [UInt8] = Array("worker-1".utf8)

    init(layout: SampleLayout) {
        appNames = layout.processes.map { Array($0.app.utf8) }
        sourceDirectories = layout.processes.map { Array($0.sourceDirectory.utf8) }
        pids = layout.processes.map(\.pid)
    }

    // MARK: pino JSON (section 4)

    func pino(_ f: RecordFields, keys: KeyStyle, into out: inout [UInt8]) {
        out.put("{\"level\":")
        out.put(decimal: Int(f.level))
        out.put(",\"time\":")
        out.put(decimal: f.time)
        out.put(",\"pid\":")
        out.put(decimal: pids[f.process])
        out.put(",\"hostname\":\"")
        out.put(hostname)
        out.put("\",\"name\":\"")
        out.put(appNames[f.process])
        out.put("\",")
        switch f.request {
        case .none:
            break
        case .create(let clientSpan):
            out.put("\"req\":{\"id\":")
            out.put(decimal: f.requestID)
            out.put(",\"method\":\"POST\",\"url\":\"/api/v1/workflows\",\"headers\":{\"traceparent\":\"00-")
            out.put(hex: f.high)
            out.put(hex: f.low)
            out.put(byte: UInt8(ascii: "-"))
            out.put(hex: clientSpan)
            out.put("-01\"}},")
        case .response(let status, let responseTime):
            out.put("\"req\":{\"id\":")
            out.put(decimal: f.requestID)
            out.put(",\"method\":\"POST\",\"url\":\"/api/v1/workflows\"},\"res\":{\"statusCode\":")
            out.put(decimal: status)
            out.put("},\"responseTime\":")
            out.put(decimal: responseTime)
            out.put(",")
        case .health:
            out.put("\"req\":{\"id\":")
            out.put(decimal: f.requestID)
            out.put(",\"method\":\"GET\",\"url\":\"/healthz\"},\"res\":{\"statusCode\":200},\"responseTime\":1,")
        }
        if f.hasTrace {
            switch keys {
            case .snake:
                out.put("\"trace_id\":\"")
                out.put(id: f.high, f.low, spelling: f.spelling)
                out.put("\",\"span_id\":\"")
                out.put(hex: f.span)
                if f.parentSpan != 0 {
                    out.put("\",\"parent_span_id\":\"")
                    out.put(hex: f.parentSpan)
                }
                out.put("\",")
            case .camel:
                out.put("\"traceId\":\"")
                out.put(id: f.high, f.low, spelling: f.spelling)
                out.put("\",\"spanId\":\"")
                out.put(hex: f.span)
                if f.parentSpan != 0 {
                    out.put("\",\"parentSpanId\":\"")
                    out.put(hex: f.parentSpan)
                }
                out.put("\",")
            case .nested:
                out.put("\"ctx\":{\"trace_id\":\"")
                out.put(id: f.high, f.low, spelling: f.spelling)
                out.put("\",\"span_id\":\"")
                out.put(hex: f.span)
                if f.parentSpan != 0 {
                    out.put("\",\"parent_span_id\":\"")
                    out.put(hex: f.parentSpan)
                }
                out.put("\"},")
            case .dotted:
                out.put("\"trace.id\":\"")
                out.put(id: f.high, f.low, spelling: f.spelling)
                out.put("\",\"span.id\":\"")
                out.put(hex: f.span)
                out.put("\",")
            }
        }
        if f.hasWorkflow {
            out.put(keys == .camel ? "\"workflowId\":\"" : "\"workflow_id\":\"")
            out.put(id: f.workflowHigh, f.workflowLow, spelling: .uuid)
            out.put("\",")
        }
        if f.task >= 0 {
            out.put(keys == .camel ? "\"taskId\":\"t-" : "\"task_id\":\"t-")
            out.put(decimal: Int(f.task))
            out.put("\",")
        }
        for extra in f.extras {
            out.put(byte: UInt8(ascii: "\""))
            out.put(extra.key)
            out.put("\":")
            switch extra.value {
            case .int(let n): out.put(decimal: n)
            case .text(let text):
                out.put(byte: UInt8(ascii: "\""))
                out.put(text)
                out.put(byte: UInt8(ascii: "\""))
            }
            out.put(byte: UInt8(ascii: ","))
        }
        if f.failure >= 0 {
            let failure = SampleText.failures[f.failure]
            out.put("\"err\":{\"type\":\"")
            out.put(failure.type)
            out.put("\",\"message\":\"")
            out.put(failure.message)
            out.put("\",\"stack\":\"")
            stack(f, style: .jsonEscaped, into: &out)
            out.put("\"")
            if let code = failure.code {
                out.put(",\"code\":\"")
                out.put(code)
                out.put("\"")
            }
            out.put("},")
        }
        out.put("\"msg\":\"")
        if f.markerInMessage { out.put(f.marker) }
        out.put(f.message)
        out.put("\"}\n")
    }

    /// PM2 `--time` in fork mode: `2026-07-02T10:00:00: ` before the line (section 2).
    func timePrefix(_ time: Int64, into out: inout [UInt8]) {
        out.put(time: time, layout: .pm2)
        out.put(": ")
    }

    // MARK: pino-pretty (section 5), translateTime SYS:standard, no colours

    static let levelNames: [StaticString] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
    static let lowerLevelNames: [StaticString] = ["trace", "debug", "info", "warn", "error", "fatal"]

    static func levelIndex(_ level: UInt8) -> Int { min(5, max(0, Int(level) / 10 - 1)) }

    func pretty(_ f: RecordFields, into out: inout [UInt8]) {
        out.put(byte: UInt8(ascii: "["))
        out.put(time: f.time, layout: .pretty)
        out.put("] ")
        out.put(Self.levelNames[Self.levelIndex(f.level)])
        out.put(" (")
        out.put(appNames[f.process])
        out.put(byte: UInt8(ascii: "/"))
        out.put(decimal: pids[f.process])
        out.put("): ")
        out.put(f.message)
        out.put(byte: UInt8(ascii: "\n"))
        if f.hasTrace {
            out.put("    trace_id: \"")
            out.put(id: f.high, f.low, spelling: f.spelling)
            out.put("\"\n    span_id: \"")
            out.put(hex: f.span)
            if f.parentSpan != 0 {
                out.put("\"\n    parent_span_id: \"")
                out.put(hex: f.parentSpan)
            }
            out.put("\"\n")
        }
        if f.hasWorkflow {
            out.put("    workflow_id: \"")
            out.put(id: f.workflowHigh, f.workflowLow, spelling: .uuid)
            out.put("\"\n")
        }
        if f.task >= 0 {
            out.put("    task_id: \"t-")
            out.put(decimal: Int(f.task))
            out.put("\"\n")
        }
        for extra in f.extras {
            out.put("    ")
            out.put(extra.key)
            out.put(": ")
            switch extra.value {
            case .int(let n): out.put(decimal: n)
            case .text(let text):
                out.put(byte: UInt8(ascii: "\""))
                out.put(text)
                out.put(byte: UInt8(ascii: "\""))
            }
            out.put(byte: UInt8(ascii: "\n"))
        }
        if f.failure >= 0 {
            let failure = SampleText.failures[f.failure]
            out.put("    err: {\n      \"type\": \"")
            out.put(failure.type)
            out.put("\",\n      \"message\": \"")
            out.put(failure.message)
            out.put("\",\n      \"stack\":\n")
            stack(f, style: .prettyIndented, into: &out)
            if let code = failure.code {
                out.put("\n      \"code\": \"")
                out.put(code)
                out.put("\"")
            }
            out.put("\n    }\n")
        }
    }

    // MARK: util.inspect console lines (section 6)

    /// `🔍 [WORKFLOW-TRACE] msg { traceId: '...', taskId: 't-42' }`, wrapped one key a line when
    /// util.inspect would (breakLength 80). Returns whether it wrapped.
    @discardableResult
    /// `minimal`: only the trace id and the task id (or the first extra field), as a quick
    /// `console.log('...', { traceId, taskId })` has.
    func inspect(_ f: RecordFields, snakeKeys: Bool, minimal: Bool = false, entries scratch: inout [UInt8], ends: inout [Int], into out: inout [UInt8]) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        if let code = f.failure >= 0 ? SampleText.failures[f.failure].code : nil {
            scratch.put("code: '")
            scratch.put(code)
            scratch.put("'")
            ends.append(scratch.count)
        }
        if f.hasTrace {
            scratch.put(snakeKeys ? "trace_id: '" : "traceId: '")
            scratch.put(id: f.high, f.low, spelling: f.spelling)
            scratch.put("'")
            ends.append(scratch.count)
        }
        if f.hasTrace && !minimal {
            scratch.put(snakeKeys ? "span_id: '" : "spanId: '")
            scratch.put(hex: f.span)
            scratch.put("'")
            ends.append(scratch.count)
            if f.parentSpan != 0 {
                scratch.put(snakeKeys ? "parent_span_id: '" : "parentSpanId: '")
                scratch.put(hex: f.parentSpan)
                scratch.put("'")
                ends.append(scratch.count)
            }
        }
        if f.hasWorkflow && !minimal {
            scratch.put(snakeKeys ? "workflow_id: '" : "workflowId: '")
            scratch.put(id: f.workflowHigh, f.workflowLow, spelling: .uuid)
            scratch.put("'")
            ends.append(scratch.count)
        }
        if f.task >= 0 {
            scratch.put(snakeKeys ? "task_id: 't-" : "taskId: 't-")
            scratch.put(decimal: Int(f.task))
            scratch.put("'")
            ends.append(scratch.count)
        }
        for extra in f.extras where !minimal || (f.task < 0 && ends.count < 2) {
            scratch.put(extra.key)
            scratch.put(": ")
            switch extra.value {
            case .int(let n): scratch.put(decimal: n)
            case .text(let text):
                scratch.put(byte: UInt8(ascii: "'"))
                scratch.put(text)
                scratch.put(byte: UInt8(ascii: "'"))
            }
            ends.append(scratch.count)
        }

        out.put(f.marker)
        out.put(f.message)
        out.put(byte: UInt8(ascii: " "))
        var wrap = true
        if f.failure >= 0 {
            // console.error('... failed', err): the error's stack, then its own properties.
            stack(f, style: .raw, into: &out)
            out.put(byte: UInt8(ascii: " "))
        } else {
            // Node's isBelowBreakLength: entries + their count + braces and slack within 80.
            wrap = scratch.count + 2 * ends.count + 11 > 80
        }
        if ends.isEmpty {
            out.put("{}\n")
            return false
        }
        out.put(byte: UInt8(ascii: "{"))
        var start = 0
        for (i, end) in ends.enumerated() {
            out.put(wrap ? "\n  " : " ")
            out.append(contentsOf: scratch[start..<end])
            if i < ends.count - 1 { out.put(byte: UInt8(ascii: ",")) }
            start = end
        }
        out.put(wrap ? "\n}\n" : " }\n")
        return wrap
    }

    // MARK: logfmt (section 7)

    func logfmt(_ f: RecordFields, into out: inout [UInt8]) {
        out.put("ts=")
        out.put(time: f.time, layout: .iso)
        out.put(" level=")
        out.put(Self.lowerLevelNames[Self.levelIndex(f.level)])
        out.put(" app=")
        out.put(appNames[f.process])
        out.put(" pid=")
        out.put(decimal: pids[f.process])
        if f.hasTrace {
            out.put(" trace_id=")
            out.put(id: f.high, f.low, spelling: f.spelling)
            out.put(" span_id=")
            out.put(hex: f.span)
            if f.parentSpan != 0 {
                out.put(" parent_span_id=")
                out.put(hex: f.parentSpan)
            }
        }
        if f.hasWorkflow {
            out.put(" workflow_id=")
            out.put(id: f.workflowHigh, f.workflowLow, spelling: .uuid)
        }
        if f.task >= 0 {
            out.put(" task_id=t-")
            out.put(decimal: Int(f.task))
        }
        for extra in f.extras {
            out.put(byte: UInt8(ascii: " "))
            out.put(extra.key)
            out.put(byte: UInt8(ascii: "="))
            switch extra.value {
            case .int(let n): out.put(decimal: n)
            case .text(let text): out.put(text)
            }
        }
        out.put(" msg=\"")
        out.put(f.message)
        out.put(byte: UInt8(ascii: "\""))
        if f.failure >= 0 {
            let failure = SampleText.failures[f.failure]
            out.put(" err=\"")
            out.put(failure.type)
            out.put(": ")
            out.put(failure.message)
            out.put(byte: UInt8(ascii: "\""))
        }
        out.put(byte: UInt8(ascii: "\n"))
    }

    // MARK: stack traces

    enum StackStyle {
        /// Inside a JSON string: `\n` escaped, `caused by:` kept (pino's err serializer).
        case jsonEscaped
        /// pino-pretty: every line indented by ten spaces, no final newline.
        case prettyIndented
        /// As Node prints `err.stack`: raw lines, no final newline, no cause.
        case raw
    }

    func stack(_ f: RecordFields, style: StackStyle, into out: inout [UInt8]) {
        let failure = SampleText.failures[max(0, f.failure)]
        let pad: StaticString = style == .prettyIndented ? "          " : ""
        func newline(_ out: inout [UInt8]) {
            if style == .jsonEscaped { out.put("\\n") } else { out.put(byte: UInt8(ascii: "\n")) }
            out.put(pad)
        }
        out.put(pad)
        out.put(failure.type)
        out.put(": ")
        out.put(failure.message)
        let frameCount = 3 + f.detail % 3
        let frames = SampleText.frames
        for i in 0..<frameCount {
            let frame = i == frameCount - 1 ? frames[frames.count - 1] : frames[(f.detail + i * 3) % (frames.count - 1)]
            newline(&out)
            out.put("    at ")
            out.put(frame.function)
            out.put(" (")
            if !frame.isInternal {
                out.put(sourceDirectories[f.process])
                out.put(byte: UInt8(ascii: "/"))
            }
            out.put(frame.file)
            if !frame.isInternal { out.put(".js") }
            out.put(byte: UInt8(ascii: ":"))
            out.put(decimal: 10 + (f.detail * 37 + i * 53) % 400)
            out.put(byte: UInt8(ascii: ":"))
            out.put(decimal: 5 + (f.detail + i * 7) % 30)
            out.put(byte: UInt8(ascii: ")"))
        }
        if style != .raw, let cause = failure.cause {
            newline(&out)
            out.put("caused by: ")
            out.put(cause)
            newline(&out)
            out.put("    at Socket.onClose (node:net:")
            out.put(decimal: 300 + f.detail)
            out.put(":12)")
        }
    }

    /// An uncaught exception as PM2 writes it to the error file: `err.stack` and a newline.
    func bareStack(_ f: RecordFields, into out: inout [UInt8]) {
        stack(f, style: .raw, into: &out)
        out.put(byte: UInt8(ascii: "\n"))
    }
}
