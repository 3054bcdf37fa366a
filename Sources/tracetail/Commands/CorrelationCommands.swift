import ArgumentParser
import Logging
import TraceTailAppDatabase
import TraceTailCore
import TraceTailQuery

/// `--correlate`: the application's database, as `correlate.url` (config, TRACETAIL_CORRELATE_URL).
struct CorrelateOption: ParsableArguments {
    @Option(help: "The application's PostgreSQL, read-only: postgres://user@host:port/db (correlate.url).")
    var correlate: String?

    var overrides: [String: String] { correlate.map { ["correlate.url": $0] } ?? [:] }
}

extension Bootstrap {
    /// The application's rows when `correlate.url` is set; nil otherwise (answers from the logs alone).
    static func applicationRows(_ settings: Settings, logger: Logger) throws -> (any ApplicationRows)? {
        guard let url = settings.correlateURL else { return nil }
        do {
            return try PostgresApplicationRows(url: url, schema: settings.applicationSchema, timeoutMillis: settings.correlateTimeout, logger: logger)
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// What the correlation commands share: the store, the renderer, the rows.
struct CorrelationContext {
    let reader: Reader
    let correlation: CorrelationReader

    init(_ common: CommonOptions, _ correlate: CorrelateOption) async throws {
        reader = try await Reader(common, extra: correlate.overrides)
        var logger = Logger(label: "tracetail")
        logger.logLevel = Logger.Level(rawValue: reader.settings.logLevel) ?? .info
        correlation = CorrelationReader(store: reader.store, rows: try Bootstrap.applicationRows(reader.settings, logger: logger))
    }
}

struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow",
        abstract: "Shows a workflow: its row, its tasks, the findings, the span tree, then the records.",
        discussion: "With --correlate (correlate.url) the rows come from the application's database; without, from the logs alone. --json prints the answer of GET /workflows/{id}.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var correlate: CorrelateOption

    @Argument(help: "The workflow id, as the Workflow row holds it.")
    var workflowID: String

    @Flag(help: "Print the API's JSON (GET /workflows/{id}) instead of text.")
    var json = false

    @OptionGroup var records: SummaryRecordsOption

    func run() async throws {
        let id = try CLIError.wrapping { try RequestedID(kind: .workflow, text: workflowID) }
        let context = try await CorrelationContext(common, correlate)
        defer { context.reader.close() }
        let answer = try await CLIError.wrapping { try await context.correlation.workflow(id) }
        // The records after the findings: the trace's, else the workflow id's own.
        try await context.reader.printSummary(
            json: json, encoded: { CorrelationJSON.encode(answer) }, summary: context.reader.renderer.workflow(answer),
            trace: answer.trace, records: answer.trace.flatMap { TraceID($0.traceID)?.key } ?? id.key, limit: records.limit,
            more: { "... more records: add --cursor \($0.token) to tracetail logs" })
    }
}

struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Shows a task: its row, its workflow's row, the findings, the span tree, then the task's records.",
        discussion: "--json prints the answer of GET /tasks/{id}.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var correlate: CorrelateOption

    @Argument(help: "The task id, as the AgentTask row holds it.")
    var taskID: String

    @Flag(help: "Print the API's JSON (GET /tasks/{id}) instead of text.")
    var json = false

    @OptionGroup var records: SummaryRecordsOption

    func run() async throws {
        let id = try CLIError.wrapping { try RequestedID(kind: .task, text: taskID) }
        let context = try await CorrelationContext(common, correlate)
        defer { context.reader.close() }
        let answer = try await CLIError.wrapping { try await context.correlation.task(id) }
        try await context.reader.printSummary(
            json: json, encoded: { CorrelationJSON.encode(answer) }, summary: context.reader.renderer.task(answer),
            trace: answer.trace, records: id.key, limit: records.limit,
            more: { "... more records: add --cursor \($0.token) to tracetail logs" })
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks a workflow for an end-to-end test: exit 0 when no finding is an error, 1 otherwise.",
        discussion: """
            Prints the findings. With --expect-trace, the trace id stored on the Workflow row (or, \
            without a database, the one its records carry) must be that one. A database that is \
            configured but does not answer fails the check (exit 1): the rows could not be verified.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var correlate: CorrelateOption

    @Option(help: "The workflow id to check.")
    var workflow: String

    @Option(name: .customLong("expect-trace"), help: "The trace id the workflow must carry (the one the test sent, say).")
    var expectTrace: String?

    @Flag(help: "Print the API's JSON (GET /workflows/{id}) instead of text; the exit status is the same.")
    var json = false

    func run() async throws {
        let id = try CLIError.wrapping { try RequestedID(kind: .workflow, text: workflow) }
        let expected = try expectTrace.map { text in try CLIError.wrapping { try RequestedID(kind: .trace, text: text) } }
        let context = try await CorrelationContext(common, correlate)
        defer { context.reader.close() }
        let answer = try await CLIError.wrapping { try await context.correlation.workflow(id) }
        var problems: [String] = []
        if case .unreachable = answer.database { problems.append("database \(answer.database.text)") }
        if let expected {
            let stored = answer.workflow.map { $0.traceID.flatMap(TraceID.init)?.canonical }
                ?? answer.logs.mainTrace.flatMap(TraceID.init(key:))?.canonical
            let source = answer.workflow != nil ? "the Workflow row stores" : "the workflow's records carry"
            if stored != expected.canonical {
                problems.append("expected trace \(expected.canonical), but \(source) \(stored ?? "none")")
            }
        }
        let errors = answer.findings.filter { $0.severity == .error }.count
        let warnings = answer.findings.filter { $0.severity == .warning }.count
        var out = Output()
        if json {
            out.line(bytes: CorrelationJSON.encode(answer))
        } else {
            let verdict = errors == 0 && problems.isEmpty ? "OK" : "FAIL"
            out.line("verify workflow \(answer.id): \(verdict) (\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"); database: \(answer.database.text))")
            for problem in problems { out.line("  FAIL    \(problem)") }
            for line in context.reader.renderer.findings(answer.findings).dropFirst() where !answer.findings.isEmpty { out.line(line) }
        }
        out.flush()
        if errors > 0 || !problems.isEmpty { throw ExitCode(1) }
    }
}
