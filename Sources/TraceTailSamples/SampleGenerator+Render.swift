extension SampleGenerator {
    // MARK: rendering and counting

    /// Renders `fields` in the process's style; returns the stream and the shape written.
    mutating func render(process: Int, inspectAllowed: Bool, into out: inout [UInt8]) -> (LogStreamName, RecordShape) {
        let style = layout.processes[process].style
        let errStream: LogStreamName = fields.level >= 50 ? .err : .out
        var shape: RecordShape
        var stream = errStream
        switch style {
        case .pino(let camelKeys):
            var keys = KeyStyle.snake
            if camelKeys {
                switch random.below(10) {
                case 0..<6: keys = .camel
                case 6..<8: keys = .nested
                default: keys = .dotted
                }
            }
            renderer.pino(fields, keys: keys, into: &out)
            shape = .pino
        case .pinoAndInspect:
            if inspectAllowed && random.chance(0.35) {
                shape = inspect(into: &out)
                stream = fields.level >= 40 ? .err : .out
            } else {
                fields.markerInMessage = random.chance(0.2)
                renderer.pino(fields, keys: .snake, into: &out)
                shape = .pino
            }
        case .pretty:
            if inspectAllowed && random.chance(0.15) {
                shape = inspect(into: &out)
                stream = fields.level >= 40 ? .err : .out
            } else {
                renderer.pretty(fields, into: &out)
                shape = .pinoPretty
            }
        case .timePrefixed:
            renderer.timePrefix(fields.time, into: &out)
            renderer.pino(fields, keys: .snake, into: &out)
            shape = .pinoTimePrefixed
        case .logfmt:
            renderer.logfmt(fields, into: &out)
            shape = .logfmt
        }
        shapeCounts[shape.rawValue] += 1
        return (stream, shape)
    }

    mutating func inspect(into out: inout [UInt8]) -> RecordShape {
        let minimal = fields.failure < 0 && random.chance(0.4)
        let wrapped = renderer.inspect(fields, snakeKeys: fields.detail % 3 == 0, minimal: minimal, entries: &inspectScratch, ends: &inspectEnds, into: &out)
        return wrapped ? .inspectWrapped : .inspect
    }

    /// Every trace begun so far: finished ones, then those in flight.
    var traceStats: [TraceStats] { finished + active.map(\.stats) }

    func shapeCount(_ shape: RecordShape) -> Int { shapeCounts[shape.rawValue] }

    func fileIndex(process: Int, stream: LogStreamName, time: Int64) -> Int {
        let file = 2 * process + (stream == .out ? 0 : 1)
        if let rotation, file == rotation.live, time < rotation.time { return rotation.copy }
        return file
    }

    mutating func record(file: Int, time: Int64, traced: Bool) {
        fileStats[file].records += 1
        if traced { fileStats[file].tracedRecords += 1 }
        fileStats[file].firstTime = min(fileStats[file].firstTime, time)
        fileStats[file].lastTime = max(fileStats[file].lastTime, time)
    }
}
