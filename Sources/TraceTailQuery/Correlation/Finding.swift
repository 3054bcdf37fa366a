/// Something wrong between the application's rows and the logs, in words that say what to look at.
package struct Finding: Sendable {
    package enum Kind: String, Sendable, CaseIterable {
        /// A task row's trace fields are NULL while its records carry them.
        case taskTraceMissing = "task_trace_missing"
        /// A row's trace id differs from the one its own records carry.
        case traceMismatch = "trace_mismatch"
        /// The records log an incoming `x-trace-id` or `traceparent` other than the stored trace id.
        case customTraceIgnored = "custom_trace_ignored"
        /// A row names a trace, span or task id that no stored record carries.
        case noLogs = "no_logs"
        /// A task's `parent_span_id` is not a span of its workflow's trace.
        case parentMismatch = "parent_mismatch"
        /// Records of the workflow or task without a trace id (per app).
        case contextLost = "context_lost"
        /// The row says failed with no error record, or succeeded with error records.
        case statusMismatch = "status_mismatch"
    }

    package enum Severity: String, Sendable, Comparable {
        case info, warning, error

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            }
        }

        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// A value a finding names: an id, a count, a list of column names.
    package enum Value: Sendable, Hashable {
        case null
        case text(String)
        case number(Int)
        case texts([String])
    }

    package var kind: Kind
    package var severity: Severity
    /// One sentence: what is wrong and where to look.
    package var message: String
    /// The ids and values involved, in the order answers write them (`task_id`, `expected_trace_id`...).
    package var values: [(name: String, value: Value)]

    package init(_ kind: Kind, _ severity: Severity, _ message: String, _ values: [(name: String, value: Value)]) {
        self.kind = kind
        self.severity = severity
        self.message = message
        self.values = values
    }

    /// A value by name (for tests and for the text output).
    package func value(_ name: String) -> Value? {
        values.first { $0.name == name }?.value
    }
}
