import Foundation
import Testing
@testable import TraceTailCore

/// The project's seeded generator, so a failure can be replayed.
typealias SeededGenerator = SplitMix64

@Suite("fuzz")
struct FuzzTests {
    static let fixtureNames = [
        "pino/basic.ndjson", "pino/crlf-epoch-seconds.ndjson", "pino-pretty/colorize.log", "pino-pretty/single-line.log",
        "console/util-inspect.log", "node/crash-stderr.log", "pm2/fork-time-prefix.log", "pm2/cluster-time-prefix.log",
    ]

    static let fragments: [String] = [
        "", " ", "    at f (a.js:1:1)", "caused by: Error: x", "  [cause]: Error: y", "}", "]", "{", "msg {", "[eval]:1", "x.js:12",
        "function f() {}", "      ^", "   ^^^", "Node.js v20.20.2", "TypeError: boom", "2026-07-02T10:00:00: ", "2026-07-02T10:00:00: {",
        "[10:00:00.000] INFO (1): hi", "    key: \"v\"", "\u{1B}[31m", "[31m", "\r", "\0\0\0", "{\"a\":1}", "{\"traceId\":\"",
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "'", "\"", "\\", "\\u001b", "🔍 [WORKFLOW-TRACE]",
        "level=info trace_id=\"4bf9", "\u{FFFD}",
    ]

    /// Checks the assembler's promises on one input fed in random chunks with random idle closes.
    static func check(_ input: [UInt8], _ rng: inout SeededGenerator, parser: RecordParser) -> Bool {
        var assembler = RecordAssembler(offset: 0)
        var records: [AssembledRecord] = []
        var i = 0
        while i < input.count {
            let size = Int.random(in: 1...max(1, min(input.count, 300)), using: &rng)
            let end = min(input.count, i + size)
            records += assembler.append(Array(input[i..<end]))
            if Int.random(in: 0..<8, using: &rng) == 0 { records += assembler.closePending() }
            i = end
        }
        records += assembler.closePending()
        let complete = (input.lastIndex(of: 0x0A)).map { $0 + 1 } ?? 0
        var joined: [UInt8] = []
        for (k, record) in records.enumerated() {
            if k > 0 { joined.append(0x0A) }
            joined += record.raw
            _ = parser.parse(record: record, referenceTime: Support.referenceTime)
        }
        if !records.isEmpty { joined.append(0x0A) }
        var ok = joined == Array(input[0..<complete])
        ok = ok && assembler.committedOffset == Int64(complete) && !assembler.hasPendingRecord
        ok = ok && (records.first?.startOffset ?? 0) == 0 && (records.last?.endOffset ?? 0) == Int64(complete)
        for (a, b) in zip(records, records.dropFirst()) where a.endOffset != b.startOffset { ok = false }
        ok = ok && records.allSatisfy { !$0.truncated && $0.startOffset < $0.endOffset }
        return ok
    }

    /// Feeding a prefix, then restarting a new assembler at its `committedOffset` with the rest, gives
    /// the records of one uninterrupted run.
    static func restartMatches(_ input: [UInt8], _ rng: inout SeededGenerator) -> Bool {
        let whole = Support.assemble(input)
        let cut = Int.random(in: 0...input.count, using: &rng)
        var first = RecordAssembler(offset: 0)
        let before = first.append(Array(input[0..<cut]))
        let offset = Int(first.committedOffset)
        var second = RecordAssembler(offset: Int64(offset))
        let after = second.append(Array(input[offset...])) + second.closePending()
        return before + after == whole
    }

    @Test("random and mutated bytes: no crash, no lost byte, contiguous offsets, restartable")
    func fuzz() throws {
        var rng = SeededGenerator(seed: 0x7AC3_7A11)
        let fixtures = try Self.fixtureNames.map { try Support.fixture($0) }
        let parser = RecordParser(options: .init(localUTCOffsetSeconds: 3600))
        // A fixed number of seeded rounds: the same inputs on every machine, however fast.
        var failures = 0
        for rounds in 0..<1000 {
            var input: [UInt8] = []
            switch rounds % 3 {
            case 0:  // fragments and fixture lines stitched at random
                for _ in 0..<Int.random(in: 1...60, using: &rng) {
                    if Bool.random(using: &rng) {
                        input += Array(Self.fragments.randomElement(using: &rng)!.utf8)
                    } else {
                        let f = fixtures.randomElement(using: &rng)!
                        let a = Int.random(in: 0..<f.count, using: &rng)
                        input += f[a..<min(f.count, a + Int.random(in: 1...200, using: &rng))]
                    }
                    if Int.random(in: 0..<4, using: &rng) != 0 { input.append(0x0A) }
                }
            case 1:  // a fixture with bytes flipped, inserted and deleted
                input = fixtures.randomElement(using: &rng)!
                for _ in 0..<Int.random(in: 1...20, using: &rng) {
                    let at = Int.random(in: 0..<input.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: input[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1: input.insert(contentsOf: Array(Self.fragments.randomElement(using: &rng)!.utf8), at: at)
                    default: input.removeSubrange(at..<min(input.count, at + Int.random(in: 1...40, using: &rng)))
                    }
                    if input.isEmpty { input = [0x0A] }
                }
            default:  // random bytes, newline-heavy
                for _ in 0..<Int.random(in: 0...2000, using: &rng) {
                    input.append(Int.random(in: 0..<10, using: &rng) == 0 ? 0x0A : UInt8.random(in: 0...255, using: &rng))
                }
            }
            if rounds % 4 == 0 && !Self.restartMatches(input, &rng) {
                failures += 1
                if failures <= 3 { Issue.record("round \(rounds): a restart at committedOffset differs: \(Support.text(input).debugDescription.prefix(600))") }
            }
            if !Self.check(input, &rng, parser: parser) {
                failures += 1
                if failures <= 3 { Issue.record("round \(rounds) failed: \(Support.text(input).debugDescription.prefix(600))") }
            }
        }
        #expect(failures == 0)
    }

    /// PM2's envelope line for one chunk.
    static func envelope(_ chunk: [UInt8]) -> [UInt8] {
        var out = Array(#"{"message":""#.utf8)
        for byte in chunk {
            switch byte {
            case 0x0A: out += Array("\\n".utf8)
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out += Array(#"","timestamp":"2026-07-02T10:00:00.000Z","type":"out","process_id":3,"app_name":"api"}"#.utf8)
        out.append(0x0A)
        return out
    }

    @Test("envelopes cut at random: raws give back the text, and a restart at committedOffset repeats nothing and loses nothing")
    func envelopeRestart() throws {
        var rng = SeededGenerator(seed: 0xE4E1)
        let fixtures = try ["pino/basic.ndjson", "pino-pretty/default.log", "console/util-inspect.log", "node/crash-stderr.log"].map { try Support.fixture($0) }
        for rounds in 0..<300 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let f = fixtures.randomElement(using: &rng)!
                let a = Int.random(in: 0..<f.count, using: &rng)
                text += f[a..<min(f.count, a + Int.random(in: 1...600, using: &rng))]
                if Bool.random(using: &rng) { text.append(0x0A) }
            }
            // Records sharing envelopes with a half line are held until an envelope ends at a line
            // end; the text ends with one so that everything is released by the end.
            text.append(0x0A)
            var file: [UInt8] = []
            var i = 0
            while i < text.count {
                let end = min(text.count, i + Int.random(in: 1...120, using: &rng))
                file += Self.envelope(Array(text[i..<end]))
                i = end
            }
            let whole = Support.assemble(file)
            let complete = text.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            #expect(whole.map(\.raw).joined(separator: [0x0A]).map { $0 } + (whole.isEmpty ? [] : [0x0A]) == Array(text[0..<complete]))
            let cut = Int.random(in: 0...file.count, using: &rng)
            var first = RecordAssembler(offset: 0)
            let before = first.append(Array(file[0..<cut]))
            let offset = Int(first.committedOffset)
            var second = RecordAssembler(offset: Int64(offset))
            let after = second.append(Array(file[offset...])) + second.closePending()
            #expect(before + after == whole, "round \(rounds), cut \(cut), committed \(offset)")
        }
    }

    @Test("mutated envelopes: no crash, offsets in order, commit never past the input")
    func envelopeFuzz() throws {
        var rng = SeededGenerator(seed: 42)
        let envelope = try Support.fixture("pm2/json-envelope.log")
        for _ in 0..<200 {
            var input = envelope + envelope
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let at = Int.random(in: 0..<input.count, using: &rng)
                input[at] = [0x0A, UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
            }
            var assembler = RecordAssembler(offset: 0)
            var records: [AssembledRecord] = []
            var i = 0
            while i < input.count {
                let end = min(input.count, i + Int.random(in: 1...500, using: &rng))
                records += assembler.append(Array(input[i..<end]))
                #expect(assembler.committedOffset <= assembler.readOffset)
                i = end
            }
            records += assembler.closePending()
            for (a, b) in zip(records, records.dropFirst()) { #expect(a.startOffset <= b.startOffset && a.endOffset <= b.endOffset) }
            for record in records { _ = RecordParser().parse(record: record, referenceTime: 0) }
        }
    }
}
