import Foundation
import GRDB
import Testing
import TraceTailCore
import TraceTailStore

@Suite("Store block format")
struct StoreBlockFormatTests {
    @Test("Blocks of a store written before version 4 (one deflate stream each) still read, and its open blocks go on as version 4")
    func blocksOfAnOlderStore() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let options = StoreOptions(blockBytes: 512)
        var store = try SQLiteLogStore(path: path, options: options)
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-out.log"])
        // UUID traces (packed in version 4), hex traces, spans; several blocks a file, the last open.
        let traces = [Sample.traceA, Sample.traceB, TraceID("7c3f0a52-1b6e-4d7a-9f21-5e8b3c4d2a10")!]
        var expected: [IDKey: [String]] = [:]
        func add(_ round: Int) async throws {
            for file in files.indices {
                let records = (0..<40).map { i in
                    let n = round * 1_000 + file * 100 + i
                    return Sample.record(
                        "round \(round) file \(file) record \(i) trace \(traces[n % 3])", time: Sample.base + Int64(n),
                        offset: files[file].offset + Int64(i) * 100, trace: traces[n % 3], span: i % 4 == 0 ? Sample.spanA : nil)
                }
                try await Sample.append(store, &files[file], records)
                for record in records { expected[record.trace!, default: []].append(String(decoding: record.raw, as: UTF8.self)) }
            }
        }
        try await add(0)
        try store.close()

        // Every block rewritten as an older build wrote it: the version 3 payload, one deflate stream.
        let queue = try DatabaseQueue(path: path)
        let rewritten = try await queue.write { db -> Int in
            var count = 0
            for partition in try Int64.fetchAll(db, sql: "SELECT id FROM partitions") {
                for row in try Row.fetchAll(db, sql: "SELECT id, payload_bytes, data FROM blocks_\(partition)") {
                    let data: Data = row["data"]
                    #expect(data.first == BlockCodec.framedMarker, "the store writes version 4")
                    let records = try BlockCodec.decode(stored: Array(data), payloadBytes: row["payload_bytes"])
                    let payload = BlockCodec.encodeVersion3(records)
                    try db.execute(
                        sql: "UPDATE blocks_\(partition) SET data = ?, payload_bytes = ? WHERE id = ?",
                        arguments: [Data(try Zlib.deflate(payload, level: 6)), payload.count, row["id"] as Int64])
                    count += 1
                }
            }
            return count
        }
        try queue.close()
        #expect(rewritten > 6)

        store = try SQLiteLogStore(path: path, options: options)
        defer { try? store.close() }
        for (trace, texts) in expected {
            let page = try await store.records(RecordQuery(key: trace, limit: 1_000))
            #expect(page.records.map { String(decoding: $0.record.raw, as: UTF8.self) } == texts)
            #expect(page.unreadableBlocks == 0)
        }
        // The open blocks, read back from their old form, take more records.
        try await add(1)
        for (trace, texts) in expected {
            let page = try await store.records(RecordQuery(key: trace, limit: 1_000))
            #expect(page.records.map { String(decoding: $0.record.raw, as: UTF8.self) } == texts)
        }
        let bySpan = try await store.records(RecordQuery(key: Sample.spanA.key, limit: 1_000))
        #expect(bySpan.records.count == 2 * 2 * 10)
        let markers: [Data] = try {
            let reader = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            defer { try? reader.close() }
            return try reader.read { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM partitions").flatMap { partition in
                    try Data.fetchAll(db, sql: "SELECT substr(data, 1, 1) FROM blocks_\(partition)")
                }
            }
        }()
        #expect(markers.contains(Data([BlockCodec.framedMarker])), "blocks written after the upgrade are version 4")
        #expect(markers.contains { $0 != Data([BlockCodec.framedMarker]) }, "sealed older blocks stay as they were")
    }
}
