import Hummingbird
import ServiceLifecycle
import TraceTailCore
import TraceTailQuery

/// `GET /traces/{id}/logs/stream`: a trace's records as Server-Sent Events, the ones stored so far
/// and then each new one as it is stored, until the client goes or the daemon shuts down.
///
/// Each record is one event whose `data` is the record as the logs endpoints write it (plus its
/// own `cursor`) and whose `id` says what the client has (`ResumePoint`: the newest cursor sent,
/// then the furthest offset sent of each file within the look-back). A client that reconnects
/// with `Last-Event-ID` gets exactly the records it does not have: none twice, none skipped, a
/// record stored late with an earlier time included. `?cursor=` resumes after a bare cursor. After the records stored when the stream opened (or resumed), one
/// `caught_up` event; a comment line every `heartbeat` of silence, which is also how a client that
/// went away is noticed (the write fails). The store is polled through ``TraceFollower``, with
/// its look-back for records stored late.
///
/// Connections: while the answer is under way Hummingbird's idle timeout does not apply, and the
/// send timeout only closes a client that reads nothing; each open stream holds one connection
/// of `http.max_connections`.
package struct TraceStreamHandler: Sendable {
    package struct Timing: Sendable {
        package var poll: Duration
        package var heartbeat: Duration

        package init(poll: Duration = .milliseconds(250), heartbeat: Duration = .seconds(15)) {
            self.poll = poll
            self.heartbeat = heartbeat
        }
    }

    /// Every parameter the endpoint takes (documented in docs/openapi.yaml).
    package static let parameterNames = ["cursor"]
    static let lastEventID = HTTPFields.Element.Name("Last-Event-ID")!

    let store: any LogStore
    let presenter: RecordPresenter
    let timing: Timing

    func answer(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let id = try RequestedID(kind: .trace, pathSegment: context.parameters.get("id") ?? "")
        var resume: ResumePoint?
        for (name, value) in try QueryParameters(request).items {
            guard name == "cursor" else { throw QueryParameters.unknown(name) }
            resume = try Self.resumePoint(value, from: "parameter 'cursor'")
        }
        // The header an EventSource sends when it reconnects wins over the URL it was opened with.
        if let header = request.headers[Self.lastEventID], !header.isEmpty {
            resume = try Self.resumePoint(header, from: "header 'Last-Event-ID'")
        }
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8",
            .cacheControl: "no-cache",
            .init("X-Accel-Buffering")!: "no",
        ]
        let store = store
        let presenter = presenter
        let timing = timing
        let after = resume
        let body = ResponseBody { writer in
            var follower = after.map { TraceFollower(key: id.key, resumingAfter: $0) } ?? TraceFollower(key: id.key)
            // What the client has: each event's id, so that a reconnect resumes from it.
            var point = after ?? ResumePoint()
            var sentAny = after != nil
            var out: [UInt8] = Array("retry: 1000\n\n".utf8)
            var caughtUp = false
            var sentBefore = 0
            var lastWrite = ContinuousClock.now
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let fresh = follower.accept(try await store.records(follower.query))
                if !caughtUp { sentBefore += fresh.count }
                for stored in fresh {
                    point.add(stored)
                    sentAny = true
                    Self.event(stored, id: point.token, presenter: presenter, into: &out)
                    if out.count >= 64 * 1024 {
                        try await writer.write(ByteBuffer(bytes: out))
                        out.removeAll(keepingCapacity: true)
                    }
                }
                // After the page that ends the records stored when the stream opened (a trace of
                // more than a page's records takes several polls).
                if !caughtUp, follower.isCaughtUp {
                    caughtUp = true
                    out += Array("event: caught_up\n".utf8)
                    if sentAny { out += Array("id: \(point.token)\n".utf8) }
                    out += Array("data: {\"records\":\(sentBefore)}\n\n".utf8)
                }
                if out.isEmpty, lastWrite.duration(to: .now) >= timing.heartbeat { out = Array(": heartbeat\n\n".utf8) }
                if !out.isEmpty {
                    try await writer.write(ByteBuffer(bytes: out))
                    out.removeAll(keepingCapacity: true)
                    lastWrite = .now
                }
                // Reading on through a full page's records: the next page at once.
                if follower.isCaughtUp { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: timing.poll) } }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One record as an event: `id`, then the JSON on one `data` line (JSON escapes newlines).
    static func event(_ stored: StoredRecord, id: String, presenter: RecordPresenter, into out: inout [UInt8]) {
        out += Array("id: \(id)\ndata: ".utf8)
        var writer = JSONWriter(capacity: 512)
        let fields = presenter.fields(of: stored)
        writer.object { line in
            presenter.write(stored, fields: fields, into: &line)
            line.field("cursor", stored.cursor.token)
        }
        out += writer.bytes
        out += Array("\n\n".utf8)
    }

    private static func resumePoint(_ value: String, from source: String) throws -> ResumePoint {
        guard let cursor = ResumePoint(token: value) else {
            throw QueryError.badRequest("\(source): '\(QueryParameters.clip(value))' is not a cursor from a previous answer or event")
        }
        return cursor
    }
}
