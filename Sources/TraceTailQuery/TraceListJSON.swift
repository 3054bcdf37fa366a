import TraceTailCore

/// The JSON answer of `GET /traces`.
package enum TraceListJSON {
    package static func encode(_ list: TraceList) -> [UInt8] {
        let traces = list.traces
        var writer = JSONWriter(capacity: 256 + 200 * traces.count)
        writer.object { object in
            object.field("count", traces.count)
            object.field("partial", list.unreadableBlocks > 0)
            object.field("unreadable_blocks", list.unreadableBlocks)
            object.array("traces") { array in
                for trace in traces {
                    array.object { item in
                        item.field("trace_id", TraceID(key: trace.trace)?.canonical)
                        item.field("first", Timestamp.rfc3339(trace.firstTime))
                        item.field("last", Timestamp.rfc3339(trace.lastTime))
                        item.field("duration_ms", trace.lastTime - trace.firstTime)
                        item.field("records", trace.records)
                        item.field("errors", trace.errors)
                        item.array("apps") { apps in for app in trace.apps { apps.string(app) } }
                        item.array("hosts") { hosts in for host in trace.hosts { hosts.string(host) } }
                    }
                }
            }
        }
        return writer.bytes
    }
}
