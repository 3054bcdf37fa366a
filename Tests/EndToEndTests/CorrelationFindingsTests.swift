import Testing
import TraceTailAppDatabase
import TraceTailCore
import TraceTailQuery

/// The pure parts of correlation, without a database or a store: the findings from rows and
/// evidence given as values, the incoming-header scan, and the connection URL.
@Suite("Correlation findings, pure")
struct CorrelationFindingsTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let other = "0af7651916cd43dd8448eb211c80319c"

    static func evidence(records: Int, errors: Int = 0, trace: String? = CorrelationFindingsTests.trace) -> LogEvidence {
        var logs = LogEvidence()
        logs.records = records
        logs.errors = errors
        if let trace, records > 0 { logs.traces = [(TraceID(trace)!.key, records)] }
        return logs
    }

    static func findings(status: String, records: Int, errors: Int) -> [Finding.Kind] {
        let row = WorkflowRow(columns: [], id: "w-1", status: status, traceID: trace)
        let input = CorrelationInput(
            workflowID: "w-1", workflow: row, workflowLogs: evidence(records: records, errors: errors),
            traceLogs: evidence(records: records, errors: errors), tasks: [], carried: [TraceID(trace)!.key])
        return CorrelationFindings.evaluate(input).map(\.kind)
    }

    @Test("status_mismatch: failed without errors, succeeded with errors; never on agreeing or unknown statuses, nor without records")
    func statuses() {
        #expect(Self.findings(status: "failed", records: 3, errors: 0) == [.statusMismatch])
        #expect(Self.findings(status: "COMPLETED", records: 3, errors: 2) == [.statusMismatch])
        #expect(Self.findings(status: "failed", records: 3, errors: 1) == [])
        #expect(Self.findings(status: "completed", records: 3, errors: 0) == [])
        #expect(Self.findings(status: "running", records: 3, errors: 2) == [])
        #expect(Self.findings(status: "failed", records: 0, errors: 0) == [])
    }

    @Test("trace_mismatch: a NULL or other trace id on the row while the records carry one; errors sort first")
    func traceMismatch() {
        let logs = Self.evidence(records: 4)
        for stored in [nil, "not a trace id!", Self.other] as [String?] {
            let row = WorkflowRow(columns: [], id: "w-1", status: "completed", traceID: stored)
            let input = CorrelationInput(workflowID: "w-1", workflow: row, workflowLogs: logs, traceLogs: logs, tasks: [], carried: [TraceID(Self.trace)!.key])
            let findings = CorrelationFindings.evaluate(input)
            #expect(findings.map(\.kind) == [.traceMismatch], "\(stored ?? "NULL")")
            #expect(findings.first?.value("logged_trace_ids") == .texts([Self.trace]))
        }
        // A task whose trace differs from its workflow's, while its own records agree with it.
        let row = WorkflowRow(columns: [], id: "w-1", traceID: Self.trace)
        let task = TaskRow(columns: [], id: "t-1", workflowID: "w-1", traceID: Self.other)
        let input = CorrelationInput(
            workflowID: "w-1", workflow: row, workflowLogs: logs, traceLogs: logs,
            tasks: [.init(id: "t-1", row: task, logs: Self.evidence(records: 2, trace: Self.other))],
            carried: [TraceID(Self.trace)!.key, TraceID(Self.other)!.key, BusinessID(.task, "t-1")!.key])
        let findings = CorrelationFindings.evaluate(input)
        #expect(findings.map(\.kind) == [.traceMismatch])
        #expect(findings.first?.value("workflow_trace_id") == .text(Self.trace))
    }

    @Test("incoming trace headers are read from JSON, util.inspect and logfmt; prose and broken values are not")
    func incomingHeaders() {
        let cases: [(String, [String])] = [
            (#"{"req":{"headers":{"x-trace-id":"0af76519-16cd-43dd-8448-eb211c80319c"}},"msg":"in"}"#, [Self.other]),
            (#"{"headers":{"X-Trace-Id":"0AF7651916CD43DD8448EB211C80319C","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}"#, [Self.other, Self.trace]),
            ("incoming { headers: { 'x-trace-id': '\(Self.other)' } }", [Self.other]),
            ("level=info x_trace_id=\(Self.other) msg=in", [Self.other]),
            ("we should propagate the x-trace-id header \(Self.other)", []),
            (#"{"traceparent":"00-zz-00f067aa0ba902b7-01","x-trace-id":"null"}"#, []),
            (#"{"my-x-trace-id":"\#(Self.other)"}"#, []),
        ]
        for (line, expected) in cases {
            #expect(IncomingTrace.scan(Array(line.utf8)).map(\.trace.canonical) == expected, "\(line)")
        }
    }

    @Test("the connection URL: credentials percent-decoded, never shown; bad URLs refused with the key named")
    func connectionURL() throws {
        let url = try ConnectionURL("postgresql://reader:p%40ss:w@db.internal:5433/app?sslmode=require")
        #expect(url.user == "reader")
        #expect(url.password == "p@ss:w")
        #expect(url.host == "db.internal")
        #expect(url.port == 5433)
        #expect(url.database == "app")
        #expect(url.sslmode == "require")
        #expect(url.description == "postgres://reader@db.internal:5433/app")
        #expect(Redaction.masked("postgres://reader:secret@db:5433/app") == "postgres://reader:***@db:5433/app")
        // An unescaped @, : or / in a password is the password's, up to the last @.
        #expect(Redaction.masked("postgres://app:p@ss@db/app") == "postgres://app:***@db/app")
        #expect(Redaction.masked("postgres://app:1234/xy@db/app") == "postgres://app:***@db/app")
        #expect(Redaction.masked("postgres://app@db/app?sslmode=require&Password=s3cret&x=1") == "postgres://app@db/app?sslmode=require&Password=***&x=1")
        #expect(Redaction.masked("host=db password=s3cret user=x") == "host=db password=*** user=x")
        #expect(Redaction.masked("postgres://app@db/app") == "postgres://app@db/app")
        for bad in ["jdbc:postgresql://db/app?user=a&password=s3cret", "host=db user=x password=s3cret", "postgres://x:s3cret@db:99999/app"] {
            #expect(throws: AppDatabaseError.self, "\(bad)") { try ConnectionURL(bad) }
            do { _ = try ConnectionURL(bad) } catch { #expect(!"\(error)".contains("s3cret"), "\(error)") }
        }
        #expect(try ConnectionURL("postgres://readonly@db/app").port == 5432)
        for bad in ["mysql://x@db/app", "postgres://x@db:99999/app", "postgres://x@db/app?sslmode=maybe", "postgres://x@db/app?bogus=1",
                    "postgres://x@db/app?="] {
            #expect(throws: AppDatabaseError.self, "\(bad)") { try ConnectionURL(bad) }
        }
    }
}
