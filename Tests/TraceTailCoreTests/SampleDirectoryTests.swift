import Foundation
import Testing
@testable import TraceTailCore

/// Checks the parser against the generated sample directory (`samples/pm2-logs`, made by
/// tracetail-gen) and its manifest, which says how many records, traced records and errors every
/// file and trace holds. Runs where the samples are part of the checkout.
@Suite("sample directory")
struct SampleDirectoryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = root.appendingPathComponent("samples/pm2-logs")
    static let manifest = root.appendingPathComponent("samples/pm2-logs.manifest.json")

    @Test("records, traced records and errors per file and per trace match the manifest",
          .enabled(if: FileManager.default.fileExists(atPath: manifest.path)))
    func manifestCounts() throws {
        let data = try Data(contentsOf: Self.manifest)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        let traces = try #require(json["traces"] as? [[String: Any]])
        let parser = RecordParser()
        var perTrace: [String: (records: Int, errors: Int)] = [:]
        for file in files {
            let name = try #require(file["name"] as? String)
            let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
            let records = Support.assemble(bytes, chunk: 4096)
            var traced = 0
            for record in records {
                let fields = parser.parse(record: record, referenceTime: Support.referenceTime)
                guard let trace = fields.traceID?.canonical else { continue }
                traced += 1
                perTrace[trace, default: (0, 0)].records += 1
                if let level = fields.level, level >= .error { perTrace[trace, default: (0, 0)].errors += 1 }
            }
            #expect(records.count == file["records"] as? Int, "records in \(name)")
            #expect(traced == file["traced_records"] as? Int, "traced records in \(name)")
        }
        for trace in traces {
            let id = try #require(trace["trace_id"] as? String)
            #expect(perTrace[id]?.records == trace["records"] as? Int, "records of trace \(id)")
            #expect(perTrace[id]?.errors ?? 0 == trace["errors"] as? Int, "errors of trace \(id)")
        }
        #expect(perTrace.count == traces.count)
    }
}
