import TraceTailCore

/// `GET /coverage` and `tracetail coverage`, validated: the window and the apps.
package struct CoverageRequest: Sendable {
    package var query = CoverageQuery()

    /// Every parameter `GET /coverage` takes (documented in docs/openapi.yaml).
    package static let parameterNames = ["since", "until", "app"]

    package init(parameters: QueryParameters) throws {
        var scope = ScopeParameters(hosts: false)
        for (name, value) in parameters.items {
            guard try scope.take(name, value) else { throw QueryParameters.unknown(name) }
        }
        try scope.validate()
        query.since = scope.since
        query.until = scope.until
        query.apps = scope.apps
    }
}

/// The answer of `GET /coverage`: per app and stream, the records of the window, those with a
/// trace id, those that name a workflow or task but no trace (context lost on the way), and the
/// share traced; then the apps that lost context, worst first.
package enum CoverageJSON {
    package static func encode(_ coverage: Coverage, query: CoverageQuery) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + 160 * coverage.rows.count)
        writer.object { object in
            object.field("since", query.since.map(Timestamp.rfc3339))
            object.field("until", query.until.map(Timestamp.rfc3339))
            object.field("partial", coverage.unreadableBlocks > 0)
            object.field("unreadable_blocks", coverage.unreadableBlocks)
            object.array("apps") { array in
                for row in coverage.rows {
                    array.object { item in
                        item.field("app", row.app)
                        item.field("stream", row.stream == .err ? "err" : "out")
                        item.field("records", row.records)
                        item.field("with_trace_id", row.traced)
                        item.field("business_id_without_trace_id", row.untracedWithBusinessID)
                        item.field("traced_share", (row.share * 1000).rounded() / 1000)
                    }
                }
            }
            object.array("lost_context") { array in
                for app in lostContext(coverage) { array.string(app) }
            }
        }
        return writer.bytes
    }

    /// Apps with records that name a workflow or task but no trace, most such records first.
    package static func lostContext(_ coverage: Coverage) -> [String] {
        var lost: [String: Int64] = [:]
        for row in coverage.rows where row.untracedWithBusinessID > 0 { lost[row.app, default: 0] += row.untracedWithBusinessID }
        return lost.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }
}
