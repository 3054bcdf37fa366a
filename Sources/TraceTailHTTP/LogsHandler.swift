import Hummingbird
import TraceTailCore
import TraceTailQuery

/// `GET /{traces,spans,workflows,tasks}/{id}/logs`.
///
/// The page is read from the store in full before the answer starts, so a slow or stalled client
/// holds memory for one page (at most `LogsRequest.maximumLimit` records) but never a database
/// reader. `ndjson` and `text` are then written in chunks as they are encoded.
struct LogsHandler: Sendable {
    let store: any LogStore
    let presenter: RecordPresenter
    let rows: (any ApplicationRows)?

    func answer(_ kind: IDKind, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let logs = try LogsRequest(kind: kind, rawID: context.parameters.get("id") ?? "", request: request)
        let page = try await logs.read(from: store, presenter: presenter)
        switch logs.format {
        case .json where kind == .trace:
            // The reverse direction: the Workflow and AgentTask rows that hold this trace id.
            let (holding, database) = await CorrelationReader(store: store, rows: rows).rows(forTrace: logs.id)
            return Response.json(LogsJSON.encode(idField: kind.field, id: logs.id.canonical, page: page, presenter: presenter) {
                CorrelationJSON.write(holding, database: database, into: &$0)
            })
        case .json:
            return Response.json(LogsJSON.encode(idField: kind.field, id: logs.id.canonical, page: page, presenter: presenter))
        case .ndjson:
            let presenter = presenter
            let related = page.related
            return stream(page, contentType: "application/x-ndjson") { stored, out in
                var writer = JSONWriter(capacity: 512)
                let fields = presenter.fields(of: stored)
                writer.object { line in
                    presenter.write(stored, fields: fields, into: &line)
                    // As in the JSON answer's lines (`include=related`).
                    if related.contains(stored.cursor) { line.field("related", true) }
                }
                out.append(contentsOf: writer.bytes)
                out.append(UInt8(ascii: "\n"))
            }
        case .text:
            return stream(page, contentType: "text/plain; charset=utf-8") { stored, out in
                out.append(contentsOf: stored.record.raw)
                out.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// A chunked answer: one line per record, written about 64 KiB at a time. `X-Next-Cursor`
    /// carries the cursor of the next page, as `next_cursor` does in JSON.
    private func stream(
        _ page: RecordPage, contentType: String, line: @escaping @Sendable (StoredRecord, inout [UInt8]) -> Void
    ) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let next = page.next { headers[.init("X-Next-Cursor")!] = next.token }
        headers[.init("X-Record-Count")!] = String(page.records.count)
        if page.unreadableBlocks > 0 { headers[.init("X-Unreadable-Blocks")!] = String(page.unreadableBlocks) }
        let body = ResponseBody { writer in
            var chunk: [UInt8] = []
            chunk.reserveCapacity(80 * 1024)
            for stored in page.records {
                line(stored, &chunk)
                if chunk.count >= 64 * 1024 {
                    try await writer.write(ByteBuffer(bytes: chunk))
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
