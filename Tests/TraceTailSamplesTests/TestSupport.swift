import Foundation
import TraceTailCore
@testable import TraceTailSamples

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-samples-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func bytes(of name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
    }

    func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

/// Generates a directory and returns the generator's manifest.
func generate(_ options: SampleOptions, into directory: TemporaryDirectory) throws -> SampleManifest {
    var generator = try SampleGenerator(options: options)
    let writer = try SampleDirectoryWriter(directory: directory.path, files: generator.layout.files, append: false)
    try writer.write(from: &generator)
    try writer.close()
    return generator.manifest()
}

/// Cuts a file into records the way the daemon does (TraceTailCore's RecordAssembler).
func records(of bytes: [UInt8]) -> [[UInt8]] {
    var assembler = RecordAssembler(offset: 0)
    var out = assembler.append(bytes).map(\.raw)
    out += assembler.closePending().map(\.raw)
    return out
}

/// The trace id a record carries, found by the keys the generator writes (every spelling of
/// FORMATS.md section 7 that it uses), in canonical form.
func traceID(in record: [UInt8]) -> String? {
    let text = String(decoding: record, as: UTF8.self)
    let keys = ["\"trace_id\":\"", "\"traceId\":\"", "\"trace.id\":\"", "trace_id: \"", "traceId: '", "trace_id: '", "trace_id="]
    for key in keys {
        guard let range = text.range(of: key) else { continue }
        let value = text[range.upperBound...].prefix { $0 != "\"" && $0 != "'" && $0 != " " && $0 != "\n" }
        return TraceID(value)?.canonical
    }
    return nil
}

/// Lines of a file, without their `\n`.
func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var out: [ArraySlice<UInt8>] = []
    var start = 0
    for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
        out.append(bytes[start..<i])
        start = i + 1
    }
    return out
}
