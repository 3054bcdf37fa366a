extension RecordRenderer {
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
            scratch.put(extra.value, quote: UInt8(ascii: "'"))
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
}
