import Foundation
import Testing
@testable import TraceTailCore

/// An answer parses each stored record again for what is not stored with it: its message and
/// marker. `RecordParser.display` skips the id fields for that; what it shows must be what `parse`
/// finds, for every record of every fixture.
@Suite("Display parse")
struct DisplayParseTests {
    @Test("Message, marker, time and level are parse's own, for every fixture record; ids are left out")
    func sameAsParse() throws {
        let root = Support.fixtures.path
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".log") || $0.hasSuffix(".ndjson") }
        #expect(files.count >= 20, "\(files)")
        // Configured ids too: the display parse must not need them either.
        var options = RecordParser.Options()
        options.ids = IDFieldOptions(keys: [.trace: ["x-trace-id"]])
        let parser = RecordParser(options: options)
        var records = 0
        var withIDs = 0
        for file in files.sorted() {
            for record in Support.assemble(try Support.fixture(file)) {
                let full = parser.parse(record.raw, referenceTime: Support.referenceTime)
                let shown = parser.display(record.raw, referenceTime: Support.referenceTime)
                #expect(shown.message == full.message, "\(file): \(Support.text(record.raw).prefix(200))")
                #expect(shown.marker == full.marker, "\(file)")
                #expect(shown.time == full.time && shown.level == full.level, "\(file)")
                if full.format == .pinoJSON || full.format == .json, full.traceID != nil {
                    withIDs += 1
                    #expect(shown.traceID == nil && shown.spanID == nil, "\(file): ids are not looked for")
                }
                records += 1
            }
        }
        #expect(records > 200)
        #expect(withIDs > 20)
    }
}
