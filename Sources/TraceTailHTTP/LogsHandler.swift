import Hummingbird
import Metrics
import TraceTailCore

/// `GET /{traces,spans,workflows,tasks}/{id}/logs`.
struct LogsHandler: Sendable {
    let dependencies: APIDependencies
    let presenter: RecordPresenter
    let latency = Timer(label: "tracetail_query_duration")

    init(dependencies: APIDependencies) {
        self.dependencies = dependencies
        self.presenter = RecordPresenter(parser: dependencies.parser)
    }

    func answer(_ kind: IDKind, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        defer { latency.recordNanoseconds((ContinuousClock.now - started).nanoseconds) }
        let rawID = context.parameters.get("id") ?? ""
        var logs = try LogsRequest(kind: kind, rawID: rawID, request: request)
        if let needle = logs.messageFilter {
            let presenter = presenter
            logs.query.predicate = { record, file in
                presenter.fields(of: StoredRecord(record: record, file: file)).message.localizedStandardContainsFallback(needle)
            }
        }
        let page = try await dependencies.store.records(logs.query)
        if page.records.isEmpty, logs.query.after == nil {
            // Nothing matched: is the id unknown, or did the filters exclude everything?
            let probe = RecordQuery(key: logs.query.key, limit: 1)
            if try await dependencies.store.records(probe).records.isEmpty {
                throw APIError.notFound("no records for \(kind.name) id '\(logs.canonicalID)'")
            }
        }
        switch logs.format {
        case .json: return json(kind, logs, page)
        case .ndjson: return ndjson(page)
        case .text: return text(page)
        }
    }

    private func json(_ kind: IDKind, _ logs: LogsRequest, _ page: RecordPage) -> Response {
        Response.json(LogsJSON.encode(idField: kind.field, id: logs.canonicalID, page: page, presenter: presenter))
    }

    private func ndjson(_ page: RecordPage) -> Response {
        var out: [UInt8] = []
        for stored in page.records {
            var writer = JSONWriter()
            let fields = presenter.fields(of: stored)
            writer.object { line in presenter.write(stored, fields: fields, into: &line) }
            out.append(contentsOf: writer.bytes)
            out.append(UInt8(ascii: "\n"))
        }
        var headers: HTTPFields = [.contentType: "application/x-ndjson"]
        if let next = page.next { headers[.init("X-Next-Cursor")!] = next.token }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: out)))
    }

    private func text(_ page: RecordPage) -> Response {
        var out: [UInt8] = []
        for stored in page.records {
            out.append(contentsOf: stored.record.raw)
            out.append(UInt8(ascii: "\n"))
        }
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let next = page.next { headers[.init("X-Next-Cursor")!] = next.token }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: out)))
    }
}

extension String {
    /// Case-insensitive substring test (ASCII case folding; other characters compared exactly).
    func localizedStandardContainsFallback(_ needle: String) -> Bool {
        let haystack = Array(self.utf8).map(Self.fold)
        let pattern = Array(needle.utf8).map(Self.fold)
        guard !pattern.isEmpty else { return true }
        guard haystack.count >= pattern.count else { return false }
        for start in 0...(haystack.count - pattern.count) where haystack[start] == pattern[0] {
            if haystack[start..<start + pattern.count].elementsEqual(pattern) { return true }
        }
        return false
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
