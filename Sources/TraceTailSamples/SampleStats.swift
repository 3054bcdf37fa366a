/// What was written for one trace, counted as it is written.
struct TraceStats: Sendable {
    var high: UInt64
    var low: UInt64
    var workflowHigh: UInt64
    var workflowLow: UInt64
    var ordinal: Int
    var records = 0
    var errors = 0
    var firstTime: Int64 = .max
    var lastTime: Int64 = .min
    /// Bit `i` set: the trace has a record in file `i`.
    var fileMask: UInt64 = 0
}

/// What was written to one file.
struct FileStats: Sendable {
    var records = 0
    var tracedRecords = 0
    var bytes: Int64 = 0
    var firstTime: Int64 = .max
    var lastTime: Int64 = .min
}

/// The shape of a written record, for the manifest's totals.
package enum RecordShape: Int, Sendable, CaseIterable {
    case pino
    case pinoTimePrefixed
    case pinoPretty
    case inspect
    case inspectWrapped
    case logfmt
    case stackTrace
    case text

    package var name: String {
        switch self {
        case .pino: "pino"
        case .pinoTimePrefixed: "pino-time-prefixed"
        case .pinoPretty: "pino-pretty"
        case .inspect: "inspect"
        case .inspectWrapped: "inspect-wrapped"
        case .logfmt: "logfmt"
        case .stackTrace: "stack-trace"
        case .text: "text"
        }
    }
}
