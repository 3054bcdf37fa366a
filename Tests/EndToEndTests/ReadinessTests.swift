import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP
@testable import TraceTailStore
import TraceTailTailer

/// `/readyz` and `/metrics` say what is wrong while the store refuses records, and recover.
@Suite("Readiness under a full store", .serialized)
struct ReadinessTests {
    static func line(_ n: Int) -> String {
        #"{"level":30,"time":\#(1_782_986_400_000 + n),"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"line \#(n)"}"# + "\n"
    }

    @Test("A full store: readyz 503 with the reason and the lag, the cause logged once; then ready again, every record once")
    func fullStore() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-full-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try (0..<50).map(Self.line).joined().write(toFile: logs + "/a-out.log", atomically: true, encoding: .utf8)
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        defer { try? store.close() }
        let collected = LogCollector()
        let logger = Logger(label: "test") { _ in collected }
        let status = TailerStatus()
        let service = TailerService(
            configuration: TailerConfiguration(directory: logs, pollIntervalMillis: 50, flushIntervalMillis: 50, useInotify: false),
            store: store, logger: logger, status: status)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store, readiness: { status.readiness }))) { client in
            func readyz() async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: "/readyz", method: .get) { response in
                    (response.status, try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:])
                }
            }
            func waitFor(_ done: (HTTPResponse.Status, [String: Any]) -> Bool) async throws -> [String: Any] {
                for _ in 0..<400 {
                    let (status, body) = try await readyz()
                    if done(status, body) { return body }
                    try await Task.sleep(for: .milliseconds(25))
                }
                Issue.record("readyz never reached the expected state")
                return [:]
            }
            _ = try await waitFor { status, _ in status == .ok }

            try await store.database.writeWithoutTransaction { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages + 1)")
            }
            let handle = try #require(FileHandle(forWritingAtPath: logs + "/a-out.log"))
            handle.seekToEndOfFile()
            handle.write(Data((50..<5050).map(Self.line).joined().utf8))
            handle.closeFile()
            let failing = try await waitFor { status, _ in status == .serviceUnavailable }
            #expect(failing["reason"] as? String == "cannot store records: disk full", "\(failing)")
            #expect((failing["backlog_bytes"] as? Int ?? 0) > 0, "\(failing)")
            #expect((failing["commit_failures"] as? Int ?? 0) >= 1)
            // Several failed passes later, the cause was logged once.
            _ = try await waitFor { _, body in (body["commit_failures"] as? Int ?? 0) >= 4 }
            #expect(collected.messages.filter { $0.hasPrefix("cannot store records") }.count == 1, "\(collected.messages)")

            try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
            _ = try await waitFor { status, body in status == .ok && body["backlog_bytes"] as? Int == 0 }
            #expect(collected.messages.contains("tailing works again"))
        }
        running.cancel()
        _ = try? await running.value
        let page = try await store.records(RecordQuery(key: TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!.key, limit: 10_000))
        let numbers = page.records.map { String(decoding: $0.record.raw, as: UTF8.self) }
        #expect(numbers.count == 5050)
        #expect(Set(numbers).count == 5050)
    }
}

/// Collects log messages, to count how often something was logged.
final class LogCollector: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.lock()
        stored.append(event.message.description)
        lock.unlock()
    }
}
