extension RecordRenderer {
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
            out.put(extra.value, quote: UInt8(ascii: "\""))
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
            out.put(extra.value, quote: nil)
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
}
