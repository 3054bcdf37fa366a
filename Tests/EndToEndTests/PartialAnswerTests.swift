import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
import TraceTailHTTP
import TraceTailStore

/// A block damaged on disk: the answers that need it say they are partial and hold what can be
/// read, instead of failing whole with a 500.
@Suite("Partial answers", .serialized)
struct PartialAnswerTests {
    typealias F = SpanFixture

    /// Overwrites with zeros the block a file is filling, through a connection of the test's own.
    static func damageBlock(of file: String, in path: String) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.write { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT partition, block FROM open_blocks WHERE file_id = (SELECT id FROM files WHERE path = ?)
                """, arguments: [file]))
            let partition: Int64 = row["partition"]
            try db.execute(sql: "UPDATE blocks_\(partition) SET data = zeroblob(length(data)) WHERE id = ?", arguments: [row["block"] as Int64])
            #expect(db.changesCount == 1)
        }
    }

    @Test("/traces/{id}/logs, /traces/{id} and /traces answer what can be read, and say so")
    func damagedBlock() async throws {
        let fixture = try await F.make()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try fixture.store.close()
        try Self.damageBlock(of: "agent-scaffold-error.log", in: fixture.database)
        let store = try SQLiteLogStore(path: fixture.database)
        defer { try? store.close() }
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store, token: nil))) { client in
            try await client.execute(uri: "/traces/\(F.trace)/logs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["count"] as? Int == 5)
                #expect(response.object["partial"] as? Bool == true)
                #expect(response.object["unreadable_blocks"] as? Int == 1)
            }
            try await client.execute(uri: "/traces/\(F.trace)/logs?format=ndjson", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-Unreadable-Blocks")!] == "1")
            }
            try await client.execute(uri: "/traces/\(F.trace)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["records"] as? Int == 5)
                #expect(response.object["partial"] as? Bool == true)
                #expect(response.object["unreadable_blocks"] as? Int == 1)
            }
            try await client.execute(uri: "/traces", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["count"] as? Int == 2)
                #expect(response.object["partial"] as? Bool == true)
                #expect(response.object["unreadable_blocks"] as? Int == 1)
            }
            // A trace whose blocks are all readable is whole.
            try await client.execute(uri: "/traces/\(F.other)/logs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["partial"] as? Bool == false)
                #expect(response.object["unreadable_blocks"] as? Int == 0)
            }
        }
        // On the command line too: the text says what the JSON's `partial` says.
        let logs = try await CommandLineRun.run(["logs", "--trace", F.trace, "--db", fixture.database])
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("(partial: 1 damaged block skipped; tracetail stats --check lists them)"), "\(logs.stdout)")
        let trace = try await CommandLineRun.run(["trace", F.trace, "--db", fixture.database])
        #expect(trace.stdout.contains("(partial: 1 damaged block skipped"), "\(trace.stdout)")
        let whole = try await CommandLineRun.run(["logs", "--trace", F.other, "--db", fixture.database])
        #expect(!whole.stdout.contains("partial"))
    }
}
