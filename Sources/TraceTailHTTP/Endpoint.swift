import Hummingbird
import TraceTailQuery

/// Every route the API serves, as data: the router is built from this table, and the OpenAPI test
/// compares `docs/openapi.yaml` with it (Hummingbird's router keeps no public list of routes).
package enum Endpoint: String, CaseIterable, Sendable {
    case traceLogs = "trace_logs"
    case traceStream = "trace_stream"
    case spanLogs = "span_logs"
    case workflowLogs = "workflow_logs"
    case taskLogs = "task_logs"
    case trace
    case traces
    case workflow
    case task
    case coverage
    case healthz
    case readyz
    case stats
    case metrics

    /// Every endpoint is read-only.
    package var method: HTTPRequest.Method { .get }

    /// The path as OpenAPI writes it (`/traces/{id}/logs`).
    package var path: String {
        switch self {
        case .traceLogs: "/traces/{id}/logs"
        case .traceStream: "/traces/{id}/logs/stream"
        case .spanLogs: "/spans/{id}/logs"
        case .workflowLogs: "/workflows/{id}/logs"
        case .taskLogs: "/tasks/{id}/logs"
        case .trace: "/traces/{id}"
        case .traces: "/traces"
        case .workflow: "/workflows/{id}"
        case .task: "/tasks/{id}"
        case .coverage: "/coverage"
        case .healthz: "/healthz"
        case .readyz: "/readyz"
        case .stats: "/stats"
        case .metrics: "/metrics"
        }
    }

    /// The path as Hummingbird's router writes it (`/traces/:id/logs`).
    var routerPath: RouterPath {
        RouterPath("/" + path.split(separator: "/").map { $0 == "{id}" ? ":id" : String($0) }.joined(separator: "/"))
    }

    /// The kind of id a logs endpoint looks records up by.
    var logsKind: IDKind? {
        switch self {
        case .traceLogs: .trace
        case .spanLogs: .span
        case .workflowLogs: .workflow
        case .taskLogs: .task
        default: nil
        }
    }
}
