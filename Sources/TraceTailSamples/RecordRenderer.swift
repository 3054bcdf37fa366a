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
            out.put(",\"method\":\"POST\",\"url\":\"/api/v1/workflows\",\"headers\":{")
            if let custom = RequestInfo.customTrace(clientSpan: clientSpan) {
                out.put("\"x-trace-id\":\"")
                out.put(id: custom.high, custom.low, spelling: .uuid)
                out.put("\",")
            }
            out.put("\"traceparent\":\"00-")
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
            // The key names each style writes, and what opens and closes the ids (`ctx` nests them).
            let (open, trace, span, parent, close): (StaticString, StaticString, StaticString, StaticString?, StaticString) =
                switch keys {
                case .snake: ("", "trace_id", "span_id", "parent_span_id", "")
                case .camel: ("", "traceId", "spanId", "parentSpanId", "")
                case .nested: ("\"ctx\":{", "trace_id", "span_id", "parent_span_id", "}")
                case .dotted: ("", "trace.id", "span.id", nil, "")
                }
            out.put(open)
            out.put("\"")
            out.put(trace)
            out.put("\":\"")
            out.put(id: f.high, f.low, spelling: f.spelling)
            out.put("\",\"")
            out.put(span)
            out.put("\":\"")
            out.put(hex: f.span)
            if let parent, f.parentSpan != 0 {
                out.put("\",\"")
                out.put(parent)
                out.put("\":\"")
                out.put(hex: f.parentSpan)
            }
            out.put("\"")
            out.put(close)
            out.put(",")
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
            out.put(extra.value, quote: UInt8(ascii: "\""))
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
}
