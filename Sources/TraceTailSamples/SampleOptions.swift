/// What kind of lines the generator writes.
package enum SampleFormat: String, Sendable, CaseIterable {
    /// Every app in its own realistic style: pino JSON, pino-pretty blocks, util.inspect marker
    /// lines, logfmt, PM2 `--time` prefixes, bare stack traces in `-error` files.
    case mixed
    /// Pure pino JSON lines (about 280 bytes) in every file: for benchmarks.
    case pino
    /// Only pino-pretty blocks (`SYS:standard` time, no colours).
    case pretty
    /// Only logfmt lines.
    case logfmt
    /// Only pino JSON under PM2 `--time` (`2026-07-02T10:00:00: {...}`).
    case pinoTime = "pino-time"
    /// Pure pino JSON lines of about 395 bytes, each traced one naming all five ids (trace, span,
    /// parent span, workflow, task): what an orchestrator and its agents log, for benchmarks.
    case orchestrator

    /// The one style every app writes in, or nil for `mixed`.
    var uniformStyle: ProcessStyle? {
        switch self {
        case .mixed: nil
        case .pino: .pino(camelKeys: false)
        case .pretty: .pretty
        case .logfmt: .logfmt
        case .pinoTime: .timePrefixed
        case .orchestrator: .pino(camelKeys: false)
        }
    }
}

/// Everything that decides what the generator writes. The same options and seed give the same bytes.
package struct SampleOptions: Sendable, Equatable {
    /// Records to write (logical records: a pino-pretty block or a wrapped object is one).
    /// `nil`: no limit (live mode).
    package var records: Int?
    /// Traces (workflows) being written concurrently, interleaved.
    package var tracesInFlight: Int
    /// Agent workers besides the orchestrator (1...24).
    package var agents: Int
    /// Processes of the cluster app `api` (each writes `api-out-<pm_id>.log`).
    package var apiInstances: Int
    package var format: SampleFormat
    package var seed: UInt64
    /// Time of the first record, epoch milliseconds (UTC).
    package var start: Int64
    /// Mean gap between records in milliseconds (fractional allowed); see `spread(days:)`.
    package var meanGapMilliseconds: Double
    /// Share of records with no trace context (health checks, banners, heartbeats, crashes).
    package var untracedShare: Double
    /// Also write `orchestrator-out__<date>.log`: the copy pm2-logrotate made of the orchestrator's
    /// stdout a third of the way through, holding every earlier record of that file.
    package var rotatedCopy: Bool

    /// 2026-07-02T10:00:00Z, the date of the shared fixtures.
    package static let defaultStart: Int64 = 1_782_986_400_000

    package init(
        records: Int? = 2500,
        tracesInFlight: Int = 64,
        agents: Int = 4,
        apiInstances: Int = 2,
        format: SampleFormat = .mixed,
        seed: UInt64 = 42,
        start: Int64 = SampleOptions.defaultStart,
        meanGapMilliseconds: Double = 20,
        untracedShare: Double = 0.04,
        rotatedCopy: Bool = false
    ) {
        self.records = records
        self.tracesInFlight = tracesInFlight
        self.agents = agents
        self.apiInstances = apiInstances
        self.format = format
        self.seed = seed
        self.start = start
        self.meanGapMilliseconds = meanGapMilliseconds
        self.untracedShare = untracedShare
        self.rotatedCopy = rotatedCopy
    }

    /// Spreads `records` evenly (with jitter) over `days` days from `start`.
    package mutating func spread(days: Double) {
        guard let records, records > 0 else { return }
        meanGapMilliseconds = days * 86_400_000 / Double(records)
    }

    /// Checks the options; the message names the option.
    package func validate() throws(SampleError) {
        if let records, records < 0 { throw .invalidOption("records must be 0 or more, not \(records)") }
        guard tracesInFlight >= 1 else { throw .invalidOption("traces-in-flight must be at least 1, not \(tracesInFlight)") }
        guard (1...24).contains(agents) else { throw .invalidOption("agents must be 1 to 24, not \(agents)") }
        guard (1...8).contains(apiInstances) else { throw .invalidOption("api-instances must be 1 to 8, not \(apiInstances)") }
        guard meanGapMilliseconds >= 0, meanGapMilliseconds.isFinite else { throw .invalidOption("the mean gap must be 0 ms or more") }
        guard (0...1).contains(untracedShare) else { throw .invalidOption("untraced share must be between 0 and 1") }
    }
}

/// The generator's one error type.
package enum SampleError: Error, Equatable, CustomStringConvertible {
    case invalidOption(String)
    case cannotOpen(path: String, errno: Int32)
    case cannotWrite(path: String, errno: Int32)
    case cannotCreateDirectory(path: String, errno: Int32)

    package var description: String {
        switch self {
        case .invalidOption(let message): "invalid option: \(message)"
        case .cannotOpen(let path, let errno): "cannot open \(path) (errno \(errno))"
        case .cannotWrite(let path, let errno): "cannot write \(path) (errno \(errno))"
        case .cannotCreateDirectory(let path, let errno): "cannot create directory \(path) (errno \(errno))"
        }
    }
}
