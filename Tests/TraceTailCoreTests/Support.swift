import Foundation
import Testing
@testable import TraceTailCore

/// Helpers shared by the parser tests: fixtures, assembling whole inputs, and expected fields.
enum Support {
    /// `Tests/Fixtures`: real log bytes, copied into the repository (see its README for where from).
    static let fixtures: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TraceTailCoreTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    static func fixture(_ path: String) throws -> [UInt8] {
        let url = fixtures.appendingPathComponent(path)
        let data = try #require(FileManager.default.contents(atPath: url.path), "fixture \(url.path) missing")
        return [UInt8](data)
    }

    /// 2026-07-02T10:05:00Z: the read time used for the fixtures (written at 10:00:00 UTC that day).
    static let referenceTime: Int64 = 1_782_986_700_000
    /// 2026-07-02T10:00:00Z.
    static let tenOClock: Int64 = 1_782_986_400_000

    /// Feeds `input` in chunks of `chunk` bytes (all at once when nil), then closes what is pending.
    static func assemble(_ input: [UInt8], chunk: Int? = nil, options: AssemblerOptions = AssemblerOptions()) -> [AssembledRecord] {
        var assembler = RecordAssembler(offset: 0, options: options)
        var out: [AssembledRecord] = []
        let size = max(1, chunk ?? input.count)
        var i = 0
        while i < input.count {
            let end = min(input.count, i + size)
            out += assembler.append(Array(input[i..<end]))
            i = end
        }
        out += assembler.closePending()
        return out
    }

    static func parse(_ text: String, referenceTime: Int64 = referenceTime, offset: Int = 0) -> RecordFields {
        RecordParser(options: .init(localUTCOffsetSeconds: offset)).parse(Array(text.utf8), referenceTime: referenceTime)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// The fields a user sees, as a test states them. `nil` means "must be absent".
struct Expected: CustomStringConvertible, Sendable {
    var message: String
    var time: Int64?
    var level: LogLevel?
    var trace: String? = nil
    var span: String? = nil
    var parent: String? = nil
    var workflow: String? = nil
    var task: String? = nil
    var marker: String? = nil
    var format: RecordFormat? = nil

    var description: String { message }

    func check(_ f: RecordFields, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(f.message == message, sourceLocation: sourceLocation)
        #expect(f.time == time, "time of \(message)", sourceLocation: sourceLocation)
        #expect(f.level == level, "level of \(message)", sourceLocation: sourceLocation)
        #expect(f.traceID?.canonical == trace, "trace of \(message)", sourceLocation: sourceLocation)
        #expect(f.spanID?.canonical == span, "span of \(message)", sourceLocation: sourceLocation)
        #expect(f.parentSpanID?.canonical == parent, "parent of \(message)", sourceLocation: sourceLocation)
        #expect(f.workflowID?.canonical == workflow, "workflow of \(message)", sourceLocation: sourceLocation)
        #expect(f.taskID?.canonical == task, "task of \(message)", sourceLocation: sourceLocation)
        #expect(f.marker == marker, "marker of \(message)", sourceLocation: sourceLocation)
        if let format { #expect(f.format == format, "format of \(message)", sourceLocation: sourceLocation) }
    }
}

/// Ids used across the fixtures, in canonical form.
enum IDs {
    static let traceA = "ec339c58031b4a04a76e2fc5fbcaebf5"  // written as a UUID in the fixtures
    static let traceB = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let spanA = "00f067aa0ba902b7"
    static let spanB = "b7ad6b7169203331"
    static let workflow = "7131ef99-fa7f-4afe-98c4-10a65672cfc2"
}
