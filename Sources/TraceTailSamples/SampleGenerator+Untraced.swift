extension SampleGenerator {
    // MARK: records without trace context

    mutating func emitUntraced(time: Int64, into out: inout [UInt8]) -> SampleRecordInfo {
        let process = random.below(layout.processes.count)
        let isAPI = layout.processes[process].role == .api
        fields.reset(time: time, level: 30, process: process)
        fields.detail = random.below(64)
        let mixed = options.format == .mixed
        let style = layout.processes[process].style
        var stream = LogStreamName.out
        var shape = RecordShape.pino
        let roll = random.below(100)
        if isAPI {
            requestCounter += 1
            fields.requestID = requestCounter
            fields.request = .health
            fields.message = "request completed"
            renderer.pino(fields, keys: .snake, into: &out)
        } else if mixed && roll < 20 {
            // A startup banner printed with console.log.
            if style == .timePrefixed {
                renderer.timePrefix(time, into: &out)
                shape = .pinoTimePrefixed
            } else {
                shape = .text
            }
            out.put("🚀 ")
            out.put(renderer.appNames[process])
            out.put(" listening on :")
            out.put(decimal: 3100 + process)
            out.put(" (pid ")
            out.put(decimal: renderer.pids[process])
            out.put(", node v20.20.2)\n")
        } else if mixed && roll < 36 && style != .timePrefixed {
            // An uncaught exception: PM2 writes err.stack to the error file as is.
            fields.level = 50
            fields.failure = fields.detail % SampleText.failures.count
            renderer.bareStack(fields, into: &out)
            stream = .err
            shape = .stackTrace
        } else {
            fields.message = SampleText.heartbeats[fields.detail % SampleText.heartbeats.count]
            fields.extras.append(("depth", .int(Int64(fields.detail))))
            fields.level = fields.detail % 8 == 0 ? 40 : (fields.detail % 3 == 0 ? 20 : 30)
            switch mixed ? style : .pino(camelKeys: false) {
            case .pino, .pinoAndInspect:
                renderer.pino(fields, keys: .snake, into: &out)
            case .pretty:
                renderer.pretty(fields, into: &out)
                shape = .pinoPretty
            case .timePrefixed:
                renderer.timePrefix(time, into: &out)
                renderer.pino(fields, keys: .snake, into: &out)
                shape = .pinoTimePrefixed
            case .logfmt:
                renderer.logfmt(fields, into: &out)
                shape = .logfmt
            }
        }
        let file = fileIndex(process: process, stream: stream, time: time)
        record(file: file, time: time, traced: false)
        shapeCounts[shape.rawValue] += 1
        return SampleRecordInfo(file: file, time: time, level: fields.level, trace: nil, shape: shape)
    }
}
