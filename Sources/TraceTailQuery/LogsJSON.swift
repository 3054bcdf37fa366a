import TraceTailCore

/// The JSON answer of the logs endpoints, also printed by `tracetail query --json`.
package enum LogsJSON {
    /// `extra` writes further fields before `lines` (`rows` of `GET /traces/{id}/logs`).
    package static func encode(
        idField: String, id: String, page: RecordPage, presenter: RecordPresenter,
        extra: ((inout JSONWriter.ObjectWriter) -> Void)? = nil
    ) -> [UInt8] {
        // About 700 bytes a record for pino lines (longer for others): a KiB a record holds most
        // answers at once, without a copy as the answer grows.
        var writer = JSONWriter(capacity: 1024 * page.records.count + 256)
        writer.object { object in
            object.field(idField, id)
            object.field("count", page.records.count)
            object.field("truncated", page.truncated)
            object.field("next_cursor", page.next?.token)
            object.field("partial", page.unreadableBlocks > 0)
            object.field("unreadable_blocks", page.unreadableBlocks)
            extra?(&object)
            object.array("lines") { array in
                for stored in page.records {
                    let fields = presenter.fields(of: stored)
                    array.object { line in
                        presenter.write(stored, fields: fields, into: &line)
                        if page.related.contains(stored.cursor) { line.field("related", true) }
                    }
                }
            }
        }
        return writer.bytes
    }
}
