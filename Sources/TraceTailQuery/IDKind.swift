/// The kinds of id the API looks records up by.
package enum IDKind: String, Sendable, CaseIterable {
    case trace, span, workflow, task

    package var name: String { rawValue }

    /// The field that names the id in answers (`trace_id`).
    package var field: String { rawValue + "_id" }
}
