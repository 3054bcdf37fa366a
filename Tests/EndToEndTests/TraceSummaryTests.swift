import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TraceTailCore
import TraceTailHTTP
import TraceTailQuery
import TraceTailStore

/// `GET /traces/{id}` over real HTTP, and the span tree builder on cases the fixture cannot hold.
@Suite("GET /traces/{id}")
struct TraceSummaryTests {
    typealias F = SpanFixture

    @Test("the summary: time range, duration, apps, levels, errors and the span tree")
    func summary() async throws {
        try await F.withAPI { client, _ in
            try await client.execute(uri: "/traces/\(F.trace)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = response.object
                #expect(body["trace_id"] as? String == F.traceCanonical)
                #expect(body["first"] as? String == "2026-07-02T10:00:00.000Z")
                #expect(body["last"] as? String == "2026-07-02T10:00:00.040Z")
                #expect(body["duration_ms"] as? Int == 40)
                #expect(body["records"] as? Int == 7)
                // "task failed" (50) and the stderr line without a level.
                #expect(body["errors"] as? Int == 2)
                #expect(body["apps"] as? [String] == ["agent-scaffold", "api", "orchestrator"])
                #expect(body["levels"] as? [String: Int] == ["debug": 1, "info": 3, "warn": 1, "error": 2])
                #expect(body["unspanned_records"] as? Int == 1)
                #expect(body["span_count"] as? Int == 4)
                #expect(body["truncated"] as? Bool == false)
                let spans = try #require(body["spans"] as? [[String: Any]])
                // Roots in time order: A (no parent), D (parent not in the trace).
                #expect(spans.map { $0["span_id"] as? String } == [F.spanA, F.spanD])
                let a = spans[0]
                #expect(a["parent_span_id"] is NSNull)
                #expect(a["apps"] as? [String] == ["orchestrator"])
                #expect(a["records"] as? Int == 2)
                #expect(a["first"] as? String == "2026-07-02T10:00:00.000Z")
                #expect(a["last"] as? String == "2026-07-02T10:00:00.040Z")
                #expect(a["duration_ms"] as? Int == 40)
                let b = try #require((a["children"] as? [[String: Any]])?.first)
                #expect(b["span_id"] as? String == F.spanB)
                #expect(b["parent_span_id"] as? String == F.spanA)
                #expect(b["records"] as? Int == 2)
                #expect(b["errors"] as? Int == 1)
                #expect(b["first"] as? String == "2026-07-02T10:00:00.010Z")
                #expect(b["last"] as? String == "2026-07-02T10:00:00.030Z")
                let c = try #require((b["children"] as? [[String: Any]])?.first)
                #expect(c["span_id"] as? String == F.spanC)
                #expect((c["children"] as? [Any])?.isEmpty == true)
                let d = spans[1]
                #expect(d["parent_span_id"] as? String == F.missingParent)
                #expect(d["apps"] as? [String] == ["api"])
                #expect(d["errors"] as? Int == 0)
            }
            // Any spelling of the id; percent-encoded dashes too.
            try await client.execute(uri: "/traces/\(F.traceCanonical.uppercased())", method: .get) { response in
                #expect(response.object["records"] as? Int == 7)
            }
            try await client.execute(uri: "/traces/4bf92f35%2D77b3-4da6-a3ce-929d0e0e4736", method: .get) { response in
                #expect(response.object["records"] as? Int == 7)
            }
        }
    }

    @Test("unknown ids 404, malformed ids and any parameter 400, with a JSON error")
    func errors() async throws {
        try await F.withAPI { client, _ in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/traces/0123456789abcdef0123456789abcdef", .notFound, "no records for trace id '0123456789abcdef0123456789abcdef'"),
                ("/traces/not-a-known-opaque-id", .notFound, "no records for trace id"),
                ("/traces/00000000000000000000000000000000", .badRequest, "malformed trace id"),
                ("/traces/4bf92f35-77b3-4da6-a3ce", .badRequest, "malformed trace id"),
                ("/traces/\(String(repeating: "x", count: 129))", .badRequest, "1 to 128 characters"),
                ("/traces/abc%zz", .badRequest, "malformed percent-encoding"),
                ("/traces/\(F.trace)?limit=5", .badRequest, "unknown parameter 'limit'"),
            ]
            for (uri, status, message) in cases {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    let error = response.object["error"] as? String
                    #expect(error?.contains(message) == true, "\(uri): \(error ?? "no error")")
                }
            }
        }
    }

    static func record(_ time: Int64, span: String?, parent: String?, app: String = "a", level: LogLevel? = .info) -> StoredRecord {
        let file = FileState(id: 1, path: "\(app)-out.log", app: app, stream: .out, instance: nil, device: 0, inode: 0)
        let record = IndexedRecord(
            time: time, level: level, startOffset: time, endOffset: time + 1, span: span.flatMap(SpanID.init)?.key,
            parentSpan: parent.flatMap(SpanID.init)?.key, raw: Array("x".utf8))
        return StoredRecord(record: record, file: file)
    }

    @Test("a cycle of parents is broken at its earliest span; nothing is lost")
    func cycle() throws {
        var builder = TraceOverviewBuilder()
        builder.add(Self.record(2, span: "bbbbbbbbbbbbbbbb", parent: "aaaaaaaaaaaaaaaa"))
        builder.add(Self.record(1, span: "aaaaaaaaaaaaaaaa", parent: "bbbbbbbbbbbbbbbb"))
        builder.add(Self.record(3, span: "cccccccccccccccc", parent: "cccccccccccccccc"))
        let overview = try #require(builder.build(traceID: "t"))
        #expect(overview.spans.map(\.spanID) == ["aaaaaaaaaaaaaaaa", "cccccccccccccccc"])
        #expect(overview.spans[0].children.map(\.spanID) == ["bbbbbbbbbbbbbbbb"])
        #expect(overview.spanCount == 3)
    }

    @Test("a chain deeper than the limit continues as further roots, so rendering stays bounded")
    func depth() throws {
        var builder = TraceOverviewBuilder()
        let ids = (1...200).map { String(format: "%016x", $0) }
        for (index, id) in ids.enumerated() {
            builder.add(Self.record(Int64(index), span: id, parent: index == 0 ? nil : ids[index - 1]))
        }
        let overview = try #require(builder.build(traceID: "t"))
        func depth(_ node: SpanNode) -> Int { 1 + (node.children.map(depth).max() ?? 0) }
        #expect(overview.spans.count == 4)
        #expect(overview.spans.map(depth).max() == TraceOverviewBuilder.maximumDepth)
        func count(_ node: SpanNode) -> Int { 1 + node.children.map(count).reduce(0, +) }
        #expect(overview.spans.map(count).reduce(0, +) == 200)
        let text = TextRenderer(presenter: RecordPresenter(parser: RecordParser()), colour: false).overview(overview)
        #expect(text.filter { $0.contains("0000000000000") }.count == 200)
    }

    @Test("the text rendering draws the tree and colours only when asked")
    func rendering() throws {
        var builder = TraceOverviewBuilder()
        builder.add(Self.record(0, span: "aaaaaaaaaaaaaaaa", parent: nil, app: "orchestrator"))
        builder.add(Self.record(5, span: "bbbbbbbbbbbbbbbb", parent: "aaaaaaaaaaaaaaaa", app: "agent", level: .error))
        builder.add(Self.record(7, span: "cccccccccccccccc", parent: "aaaaaaaaaaaaaaaa", app: "agent"))
        builder.add(Self.record(9, span: nil, parent: nil))
        let overview = try #require(builder.build(traceID: "t"))
        let plain = TextRenderer(presenter: RecordPresenter(parser: RecordParser()), colour: false).overview(overview)
        #expect(plain.contains { $0.hasPrefix("└─ aaaaaaaaaaaaaaaa orchestrator 1 record ") })
        #expect(plain.contains { $0.hasPrefix("   ├─ bbbbbbbbbbbbbbbb agent 1 record 1 error ") })
        #expect(plain.contains { $0.hasPrefix("   └─ cccccccccccccccc agent 1 record ") })
        #expect(plain.contains("   1 record without a span"))
        #expect(!plain.joined().contains("\u{1B}["))
        let coloured = TextRenderer(presenter: RecordPresenter(parser: RecordParser()), colour: true).overview(overview)
        #expect(coloured.joined().contains("\u{1B}[31m1 error\u{1B}[0m"))
    }

    @Test("the reader pages through the cursor to the same totals, and says when it stopped short")
    func paging() async throws {
        let fixture = try await F.make()
        defer { try? fixture.store.close(); try? FileManager.default.removeItem(atPath: fixture.root) }
        let id = try RequestedID(kind: .trace, text: F.trace)
        var reader = TraceOverviewReader(store: fixture.store)
        let whole = try await reader.overview(of: id)
        reader.pageSize = 2
        let paged = try await reader.overview(of: id)
        #expect(paged.records == whole.records && paged.errors == whole.errors && paged.spanCount == whole.spanCount)
        #expect(paged.levels.map(\.count) == whole.levels.map(\.count))
        #expect(!paged.truncated)
        reader.maximumRecords = 3
        let cut = try await reader.overview(of: id)
        #expect(cut.records == 3)
        #expect(cut.truncated)
    }

    @Test("the follower shows each record once, also one stored late with an earlier time")
    func follower() throws {
        var follower = TraceFollower(key: try RequestedID(kind: .trace, text: F.trace).key)
        #expect(follower.query.after == nil)
        let first = [Self.record(1_000, span: nil, parent: nil), Self.record(2_000, span: nil, parent: nil)]
        #expect(follower.accept(RecordPage(records: first, next: nil)).count == 2)
        // The next poll looks back 5 s from the newest record shown.
        #expect(follower.query.since == 2_000 - TraceFollower.lookbackMillis)
        let late = Self.record(1_500, span: nil, parent: nil)
        let shown = follower.accept(RecordPage(records: first + [late], next: nil))
        #expect(shown.map(\.record.time) == [1_500])
        #expect(follower.accept(RecordPage(records: first + [late], next: nil)).isEmpty)
    }

    @Test("the follower reads on past a full page: more records within the look-back than a page holds are all shown, once")
    func followerPastAFullPage() async throws {
        // Found by a review: each poll asked again for the first page after the look-back, all of
        // it seen, and nothing after it was ever shown (a stream or `tracetail tail` of a trace
        // logging more than a page's records within 5 s).
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-follow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        defer { try? store.close() }
        let trace = try RequestedID(kind: .trace, text: F.trace).key
        var file = try await store.register(FileState(path: "a-out.log", app: "a", stream: .out, instance: nil, device: 1, inode: 1))
        let start: Int64 = 1_782_986_400_000
        func append(_ range: Range<Int>) async throws {
            let records = range.map { i in
                IndexedRecord(
                    time: start + Int64(i), level: .info, startOffset: Int64(i) * 10, endOffset: Int64(i) * 10 + 10,
                    trace: trace, raw: Array("record \(i)".utf8))
            }
            file.offset = records.last!.endOffset
            try await store.append(IngestBatch(
                records: records.map { IngestBatch.Entry(fileID: file.id, record: $0) }, files: [file], storedAt: start))
        }
        var follower = TraceFollower(key: trace, pageLimit: 10)
        /// Polls until caught up (at most 20 times): the times shown, and the polls it took.
        func follow() async throws -> (shown: [Int64], polls: Int) {
            var shown: [Int64] = []
            var polls = 0
            repeat {
                shown += follower.accept(try await store.records(follower.query)).map(\.record.time)
                polls += 1
            } while !follower.isCaughtUp && polls < 20
            return (shown, polls)
        }
        try await append(0..<35)
        let first = try await follow()
        #expect(first.shown == (0..<35).map { start + Int64($0) })
        #expect(first.polls == 4, "pages of 10, 10, 10 and 5")
        // New records: the look-back before the newest holds more than a page again; read on
        // through it, they come, and nothing else again.
        try await append(35..<40)
        let second = try await follow()
        #expect(second.shown == (35..<40).map { start + Int64($0) })
        #expect(second.polls == 4, "pages of 10, 10, 10 and 10")
    }
}
