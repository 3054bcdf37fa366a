import Foundation
import Testing
import TraceTailQuery

/// The answers' JSON writer against Foundation's parser: any bytes (quotes, backslashes, control
/// characters, DEL, non-ASCII, invalid UTF-8) come back as the text they decode to.
@Suite("JSON writer")
struct JSONWriterTests {
    static func written(_ raw: [UInt8]) throws -> String {
        var writer = JSONWriter()
        writer.object { $0.field("raw", raw: raw) }
        let object = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        return try #require(object?["raw"] as? String, "\(String(decoding: writer.bytes, as: UTF8.self))")
    }

    @Test("every byte string is written as the text it decodes to", arguments: [
        #"{"msg":"a \"quoted\" back\slash"}"#, "tab\tnew\nline\r\u{01}\u{1F}\u{7F}end", "héllo ✓ 🔍", "", "\\", "\"",
    ])
    func known(_ text: String) throws {
        #expect(try Self.written(Array(text.utf8)) == text)
    }

    @Test("field names of any text (an application table's columns) are escaped when they must be", arguments: [
        "trace_id", "créé_le", "a\"b", "back\\slash", "tab\tname", "\u{7F}", "",
    ])
    func names(_ name: String) throws {
        var writer = JSONWriter()
        writer.object { object in
            object.field(name, "value")
            object.field("after", 1)
        }
        let object = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect(object?[name] as? String == "value", "\(String(decoding: writer.bytes, as: UTF8.self))")
        #expect(object?["after"] as? Int == 1)
    }

    @Test("random bytes, valid or not, are written as String(decoding:) reads them")
    func random() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let pieces: [[UInt8]] = [Array("abc".utf8), [34], [92], [10], [0], [0x7F], Array("é".utf8), Array("🔍".utf8), [0xC3], [0xFF], [0x1B]]
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(next() % 24) { bytes += pieces[Int(next() % UInt64(pieces.count))] }
            #expect(try Self.written(bytes) == String(decoding: bytes, as: UTF8.self), "\(bytes)")
        }
    }
}
