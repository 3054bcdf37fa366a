import Foundation
import GRDB
import Testing
import TraceTailCore
import TraceTailStore

/// The trace list of the SQLite store, on a database handed to it (an in-memory `DatabaseQueue`,
/// as GRDB's AppDatabase pattern allows), with blocks small enough that every trace spans several.
@Suite("Store trace list")
struct StoreTraceListTests {
    static let traceC = TraceID("0af7651916cd43dd8448eb211c80319c")!

    /// Three traces over three files and many blocks: A on every file (one stderr record with no
    /// level, which counts as an error), B on the orchestrator only, C on an agent, one of whose
    /// records also carries A as another trace id.
    static func store() async throws -> SQLiteLogStore {
        let store = try SQLiteLogStore(
            database: try DatabaseQueue(), options: StoreOptions(blockBytes: 40, hostName: "api-1"))
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-error.log", "api-out-3.log"])
        var orchestrator: [IndexedRecord] = []
        for i in 0..<20 {
            let trace = i % 2 == 0 ? Sample.traceA : Sample.traceB
            orchestrator.append(Sample.record("orchestrator step \(i)", time: Sample.base + Int64(i) * 10, offset: Int64(i) * 30, trace: trace))
        }
        try await Sample.append(store, &files[0], orchestrator)
        var mixed = Sample.record("agent joins c and a", time: Sample.base + 500, offset: 60, trace: traceC)
        mixed.otherTraces = [Sample.traceA.key]
        try await Sample.append(store, &files[1], [
            Sample.record("agent a without level", time: Sample.base + 5, offset: 0, trace: Sample.traceA, level: nil),
            Sample.record("agent c", time: Sample.base + 400, offset: 30, trace: traceC, level: .info),
            mixed,
        ])
        try await Sample.append(store, &files[2], [
            Sample.record("api a", time: Sample.base + 250, offset: 0, trace: Sample.traceA, level: .warn),
        ])
        return store
    }

    @Test("Each trace is totalled over all its records, files and blocks, newest first")
    func totals() async throws {
        let store = try await Self.store()
        defer { try? store.close() }
        let list = try await store.traces(TraceListQuery())
        #expect(list.traces.map(\.trace) == [Self.traceC.key, Sample.traceA.key, Sample.traceB.key])
        let a = try #require(list.traces.first { $0.trace == Sample.traceA.key })
        // 10 on the orchestrator, 2 on the agent (one by its other trace id), 1 on the api.
        #expect(a.records == 13)
        #expect(a.errors == 1)
        #expect(a.firstTime == Sample.base)
        #expect(a.lastTime == Sample.base + 500)
        #expect(a.apps == ["agent", "api", "orchestrator"])
        #expect(a.hosts == ["api-1"])
        let b = try #require(list.traces.first { $0.trace == Sample.traceB.key })
        #expect((b.records, b.errors, b.apps) == (10, 0, ["orchestrator"]))
        // The totals agree with what a lookup of each trace returns.
        for summary in list.traces {
            let page = try await store.records(RecordQuery(key: summary.trace, limit: 1000))
            #expect(page.records.count == summary.records)
            #expect(page.records.filter(\.isError).count == summary.errors)
        }
    }

    @Test("The window picks the traces; totals still count all their records; apps, errors and the limit filter")
    func filters() async throws {
        let store = try await Self.store()
        defer { try? store.close() }
        // Only B and A have records in the first 100 ms; A's total still counts its later records.
        let early = try await store.traces(TraceListQuery(until: Sample.base + 100))
        #expect(Set(early.traces.map(\.trace)) == [Sample.traceA.key, Sample.traceB.key])
        #expect(early.traces.first { $0.trace == Sample.traceA.key }?.records == 13)

        // Of the api's app only A, with the totals of the whole trace (the app only picks it).
        let api = try await store.traces(TraceListQuery(apps: ["api"]))
        #expect(api.traces.map(\.trace) == [Sample.traceA.key])
        #expect(api.traces.first?.records == 13)

        let failing = try await store.traces(TraceListQuery(errorsOnly: true))
        #expect(failing.traces.map(\.trace) == [Sample.traceA.key])

        let newest = try await store.traces(TraceListQuery(limit: 1))
        #expect(newest.traces.map(\.trace) == [Self.traceC.key])

        var otherHost = TraceListQuery()
        otherHost.hosts = ["api-2"]
        #expect(try await store.traces(otherHost).traces.isEmpty)
    }
}
