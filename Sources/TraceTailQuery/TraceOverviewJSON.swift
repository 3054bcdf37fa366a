import TraceTailCore

/// The JSON answer of `GET /traces/{id}`, also printed by `tracetail trace --json`.
package enum TraceOverviewJSON {
    package static func encode(_ overview: TraceOverview) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 + 256 * overview.spanCount)
        writer.object { write(overview, into: &$0) }
        return writer.bytes
    }

    /// The summary's fields, into an object of its own or one nested in a larger answer
    /// (`"trace"` of `GET /workflows/{id}`).
    package static func write(_ overview: TraceOverview, into object: inout JSONWriter.ObjectWriter) {
        object.field("trace_id", overview.traceID)
        object.field("first", Timestamp.rfc3339(overview.firstTime))
        object.field("last", Timestamp.rfc3339(overview.lastTime))
        object.field("duration_ms", overview.durationMillis)
        object.field("records", overview.records)
        object.field("errors", overview.errors)
        object.array("apps") { array in for app in overview.apps { array.string(app) } }
        object.array("hosts") { array in for host in overview.hosts { array.string(host) } }
        object.object("levels") { levels in
            for (level, count) in overview.levels { levels.field(level.name, count) }
        }
        object.field("unspanned_records", overview.unspannedRecords)
        object.field("span_count", overview.spanCount)
        object.field("truncated", overview.truncated)
        object.field("partial", overview.unreadableBlocks > 0)
        object.field("unreadable_blocks", overview.unreadableBlocks)
        object.array("untraced_records") { array in
            for entry in overview.untracedByID {
                array.object { item in
                    item.field(entry.kind.field, entry.id)
                    item.field("records", entry.records)
                }
            }
        }
        object.array("spans") { array in
            for span in overview.spans { array.object { write(span, into: &$0) } }
        }
    }

    /// Recursive, but the builder bounds the depth (`TraceOverviewBuilder.maximumDepth`).
    private static func write(_ span: SpanNode, into object: inout JSONWriter.ObjectWriter) {
        object.field("span_id", span.spanID)
        object.field("parent_span_id", span.parentSpanID)
        object.array("apps") { array in for app in span.apps { array.string(app) } }
        object.field("first", Timestamp.rfc3339(span.firstTime))
        object.field("last", Timestamp.rfc3339(span.lastTime))
        object.field("duration_ms", span.durationMillis)
        object.field("records", span.records)
        object.field("errors", span.errors)
        object.array("children") { array in
            for child in span.children { array.object { write(child, into: &$0) } }
        }
    }
}
