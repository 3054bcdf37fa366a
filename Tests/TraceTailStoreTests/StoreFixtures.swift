import Foundation
import TraceTailCore
import TraceTailStore

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum Sample {
    static let traceA = TraceID("ec339c58-031b-4a04-a76e-2fc5fbcaebf5")!
    static let traceB = TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!
    static let spanA = SpanID("00f067aa0ba902b7")!
    static let workflow = BusinessID(.workflow, "7131ef99-fa7f-4afe-98c4-10a65672cfc2")!
    static let day: Int64 = 86_400_000
    static let base: Int64 = 1_782_986_400_000  // 2026-07-02T10:00:00Z

    /// A record at `offset` of its file, `length` bytes of text.
    static func record(
        _ text: String, time: Int64, offset: Int64, trace: TraceID? = nil, span: SpanID? = nil,
        workflow: BusinessID? = nil, level: LogLevel? = .info
    ) -> IndexedRecord {
        let raw = Array(text.utf8)
        return IndexedRecord(
            time: time, level: level, startOffset: offset, endOffset: offset + Int64(raw.count) + 1,
            trace: trace?.key, span: span?.key, workflow: workflow?.key, raw: raw)
    }

    /// Registers files `names` and returns them.
    static func register(_ store: SQLiteLogStore, _ names: [String]) async throws -> [FileState] {
        var files: [FileState] = []
        for (i, name) in names.enumerated() {
            let parsed = PM2FileName(name)!
            files.append(try await store.register(FileState(
                path: name, app: parsed.app, stream: parsed.stream, instance: parsed.instance,
                device: 1, inode: UInt64(100 + i))))
        }
        return files
    }

    /// Appends records to one file, the position moving past them.
    static func append(_ store: SQLiteLogStore, _ file: inout FileState, _ records: [IndexedRecord], storedAt: Int64? = nil) async throws {
        file.offset = records.last?.endOffset ?? file.offset
        try await store.append(IngestBatch(
            records: records.map { IngestBatch.Entry(fileID: file.id, record: $0) }, files: [file],
            storedAt: storedAt ?? records.map(\.time).max() ?? 0))
    }
}
