import Foundation
import Testing
import TraceTailCore
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

    @Test("ids and times written in place read as their canonical forms and rfc3339, of every kind and edge value")
    func idsAndTimes() throws {
        var keys: [IDKey] = []
        for value: (UInt64, UInt64) in [(0, 1), (.max, .max), (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210), (1 << 63, 0)] {
            for kind in [IDKey.Kind.trace, .workflow, .task] { keys.append(IDKey(kind: kind, high: value.0, low: value.1)) }
            keys.append(IDKey(kind: .span, high: value.0))
        }
        for kind in [IDKey.Kind.traceOpaque, .spanOpaque, .workflowOpaque, .taskOpaque] {
            for text in ["Root=1-5759e988", "order#42\\x", "é✓", ""] { keys.append(IDKey(kind: kind, text: text)) }
        }
        for key in keys {
            let canonical: String? = switch key.kind {
            case .trace, .traceOpaque: TraceID(key: key)?.canonical
            case .span, .spanOpaque: SpanID(key: key)?.canonical
            default: BusinessID(key: key)?.canonical
            }
            var writer = JSONWriter()
            writer.object { object in
                object.field("id", id: key)
                object.array("ids") { $0.id(key) }
            }
            let object = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
            let text = String(decoding: writer.bytes, as: UTF8.self)
            #expect(object?["id"] as? String == canonical, "\(key): \(text)")
            #expect(object?["ids"] as? [String] == [try #require(canonical)], "\(key): \(text)")
        }
        for millis: Int64 in [0, 1, 999, 1_782_986_400_010, 253_402_300_799_999, 951_782_400_000] {
            var writer = JSONWriter()
            writer.object { $0.field("ts", time: millis) }
            #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"ts":""# + Timestamp.rfc3339(millis) + #""}"#)
        }
    }

    @Test("the exact bytes: short escapes, \\u00xx for other control bytes and DEL, UTF-8 as it is, invalid UTF-8 as U+FFFD, ids in their fixed forms")
    func exactBytes() {
        func written(_ body: (inout JSONWriter.ObjectWriter) -> Void) -> String {
            var writer = JSONWriter()
            writer.object(body)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        #expect(written { $0.field("s", raw: Array("\u{7F}\u{01}\u{08}\"\\\n\r\t".utf8)) } == #"{"s":"\u007f\u0001\u0008\"\\\n\r\t"}"#)
        #expect(written { $0.field("s", raw: Array("é✓".utf8)) } == #"{"s":"é✓"}"#)
        #expect(written { $0.field("s", raw: [0x61, 0xC3, 0xFF]) } == "{\"s\":\"a\u{FFFD}\u{FFFD}\"}")
        #expect(written { $0.field("s", raw: [UInt8]()) } == #"{"s":""}"#)
        let high: UInt64 = 0x4bf9_2f35_77b3_4da6
        let low: UInt64 = 0xa3ce_929d_0e0e_4736
        #expect(written { $0.field("t", id: IDKey(kind: .trace, high: high, low: low)) } == #"{"t":"4bf92f3577b34da6a3ce929d0e0e4736"}"#)
        #expect(written { $0.field("s", id: IDKey(kind: .span, high: 0x00f0_67aa_0ba9_02b7)) } == #"{"s":"00f067aa0ba902b7"}"#)
        #expect(written { $0.field("w", id: IDKey(kind: .workflow, high: high, low: low)) } == #"{"w":"4bf92f35-77b3-4da6-a3ce-929d0e0e4736"}"#)
        #expect(written { $0.field("k", id: IDKey(kind: .task, high: 0, low: 1)) } == #"{"k":"00000000-0000-0000-0000-000000000001"}"#)
        #expect(written { $0.field("o", id: IDKey(kind: .traceOpaque, text: #"a\b"#)) } == #"{"o":"a\\b"}"#)
        #expect(written { $0.field("n", id: nil) } == #"{"n":null}"#)
        #expect(written { $0.field("ts", time: 1_782_986_400_271) } == #"{"ts":"2026-07-02T10:00:00.271Z"}"#)
    }

    @Test("a record's id field holding a key of another field's kind (a damaged block's) is shown as null, and only trace keys among its other trace ids")
    func wrongKinds() throws {
        let trace = IDKey(kind: .trace, high: 1, low: 2)
        let span = IDKey(kind: .span, high: 3)
        let workflow = IDKey(kind: .workflow, high: 4, low: 5)
        let record = IndexedRecord(
            time: 1_782_986_400_000, startOffset: 0, endOffset: 10, trace: span, span: workflow, parentSpan: trace,
            workflow: span, task: IDKey(kind: .taskOpaque, text: "t-1"), otherTraces: [span, trace], raw: Array("plain text".utf8))
        let stored = StoredRecord(record: record, file: FileState(path: "api-out.log", app: "api", stream: .out, instance: 0, device: 1, inode: 1))
        let presenter = RecordPresenter(parser: RecordParser())
        var writer = JSONWriter()
        writer.object { presenter.write(stored, fields: presenter.fields(of: stored), into: &$0) }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(object["trace_id"] is NSNull)
        #expect(object["span_id"] is NSNull)
        #expect(object["parent_span_id"] is NSNull)
        #expect(object["workflow_id"] is NSNull)
        #expect(object["task_id"] as? String == "t-1")
        #expect(object["other_trace_ids"] as? [String] == ["00000000000000010000000000000002"])
    }
}
