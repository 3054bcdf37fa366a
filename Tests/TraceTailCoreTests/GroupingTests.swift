import Testing
@testable import TraceTailCore

@Suite("line grouping")
struct GroupingTests {
    /// Input lines joined by `\n` (plus a final one), and the records expected, each as its lines.
    static let cases: [(String, [String], [[String]])] = [
        ("pino-pretty block with a multi-line JSON value",
         ["[10:00:00.000] INFO (1): a", "    ctx: {", "      \"trace_id\": \"x\"", "    }", "[10:00:00.001] INFO (1): b"],
         [["[10:00:00.000] INFO (1): a", "    ctx: {", "      \"trace_id\": \"x\"", "    }"], ["[10:00:00.001] INFO (1): b"]]),
        ("wrapped inspect object, then text",
         ["🔍 [X] y {", "  a: 'b',", "  c: { d: 1 }", "}", "next"],
         [["🔍 [X] y {", "  a: 'b',", "  c: { d: 1 }", "}"], ["next"]]),
        ("inspect array",
         ["list [", "  1,", "  2", "]", "next"],
         [["list [", "  1,", "  2", "]"], ["next"]]),
        ("JSON lines never join",
         ["{\"a\":1}", "    at x", "{\"b\":2}"],
         [["{\"a\":1}"], ["    at x"], ["{\"b\":2}"]]),
        ("column-0 lines split when unsure",
         ["first", "second", "Error: third", "fourth"],
         [["first"], ["second"], ["Error: third"], ["fourth"]]),
        // A stack written after the line that logged its error (NestJS `logger.error(msg, stack)`,
        // winston `printf()` with `${stack}`): its message repeats that line, so it is that line's.
        ("stack whose message repeats the line before it",
         ["[Nest] 7  - 11/29/2026, 9:31:23 PM   ERROR [Billing] [traceId: x] card declined ev-1", "Error: card declined ev-1", "    at f (x.js:1:1)", "    at g (x.js:2:2)", "next"],
         [["[Nest] 7  - 11/29/2026, 9:31:23 PM   ERROR [Billing] [traceId: x] card declined ev-1", "Error: card declined ev-1", "    at f (x.js:1:1)", "    at g (x.js:2:2)"], ["next"]]),
        ("prefixed winston printf: line, stack, meta after the last frame",
         ["2026-11-29T21:31:23: 2026-11-29T21:31:23.410Z [ERROR] card declined ev-3007", "2026-11-29T21:31:23: Error: card declined ev-3007",
          "2026-11-29T21:31:23:     at f (x.js:1:1) {\"trace_id\":\"t\"}", "2026-11-29T21:31:23: 2026-11-29T21:31:23.412Z [ERROR] card declined ev-3016"],
         [["2026-11-29T21:31:23: 2026-11-29T21:31:23.410Z [ERROR] card declined ev-3007", "2026-11-29T21:31:23: Error: card declined ev-3007",
           "2026-11-29T21:31:23:     at f (x.js:1:1) {\"trace_id\":\"t\"}"], ["2026-11-29T21:31:23: 2026-11-29T21:31:23.412Z [ERROR] card declined ev-3016"]]),
        ("a stack with another message, a short one, or after a stack stays apart",
         ["charge failed", "TypeError: card declined", "    at f (x.js:1:1)", "no", "Error: no", "Error: card declined", "    at f (x.js:1:1)", "Error: card declined", "    at f (x.js:1:1)"],
         [["charge failed"], ["TypeError: card declined", "    at f (x.js:1:1)"], ["no"], ["Error: no"], ["Error: card declined", "    at f (x.js:1:1)"], ["Error: card declined", "    at f (x.js:1:1)"]]),
        ("a structured line that quotes the error keeps it: a stack after it stays apart",
         ["level=error msg=\"task failed\" err=\"TypeError: x is undefined\"", "TypeError: x is undefined", "    at f (x.js:1:1)"],
         [["level=error msg=\"task failed\" err=\"TypeError: x is undefined\""], ["TypeError: x is undefined", "    at f (x.js:1:1)"]]),
        ("a header that is no error's stays apart even when it repeats",
         ["disk full on /data", "Warning: disk full on /data", "Errors: disk full on /data"],
         [["disk full on /data"], ["Warning: disk full on /data"], ["Errors: disk full on /data"]]),
        ("blank line after a stack without Node.js: three records",
         ["Error: a", "    at f (x.js:1:1)", "", "later"],
         [["Error: a", "    at f (x.js:1:1)"], [""], ["later"]]),
        ("error with properties printed by Node",
         ["Error: Cannot find module 'x'", "    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15) {", "  code: 'MODULE_NOT_FOUND',", "  requireStack: []", "}", "", "Node.js v20.11.0", "after"],
         [["Error: Cannot find module 'x'", "    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15) {", "  code: 'MODULE_NOT_FOUND',", "  requireStack: []", "}", "", "Node.js v20.11.0"], ["after"]]),
        ("crash banner with an indented source line",
         ["node:internal/modules/cjs/loader:1228", "  throw err;", "  ^", "", "Error: Cannot find module '/srv/x.js'", "    at f (node:internal/x:1:1)", "", "Node.js v20.11.0"],
         [["node:internal/modules/cjs/loader:1228", "  throw err;", "  ^", "", "Error: Cannot find module '/srv/x.js'", "    at f (node:internal/x:1:1)", "", "Node.js v20.11.0"]]),
        ("a banner that breaks off after the caret",
         ["a.js:1", "x", "^", "not blank"],
         [["a.js:1"], ["x"], ["^"], ["not blank"]]),
        ("fork-mode prefixed pretty block",
         ["2026-07-02T10:00:00: [10:00:00.000] INFO (1): a", "2026-07-02T10:00:00:     trace_id: \"x\"", "2026-07-02T10:00:00: [10:00:00.001] INFO (1): b"],
         [["2026-07-02T10:00:00: [10:00:00.000] INFO (1): a", "2026-07-02T10:00:00:     trace_id: \"x\""], ["2026-07-02T10:00:00: [10:00:00.001] INFO (1): b"]]),
        ("prefixed blank line inside a fork-mode crash",
         ["2026-07-02T10:00:00: Error: a", "2026-07-02T10:00:00:     at f (x.js:1:1)", "2026-07-02T10:00:00: ", "2026-07-02T10:00:00: Node.js v20.1.0"],
         [["2026-07-02T10:00:00: Error: a", "2026-07-02T10:00:00:     at f (x.js:1:1)", "2026-07-02T10:00:00: ", "2026-07-02T10:00:00: Node.js v20.1.0"]]),
        ("colour left open joins a column-0 line; a closed one does not",
         ["[1] \u{1B}[32mINFO\u{1B}[39m (1): \u{1B}[36mone", "two\u{1B}[39m", "[2] \u{1B}[32mINFO\u{1B}[39m (1): \u{1B}[36mx\u{1B}[39m", "three"],
         [["[1] \u{1B}[32mINFO\u{1B}[39m (1): \u{1B}[36mone", "two\u{1B}[39m"], ["[2] \u{1B}[32mINFO\u{1B}[39m (1): \u{1B}[36mx\u{1B}[39m"], ["three"]]),
        // Underline, italic and inverse end with their own codes (24, 23, 27), and "0;39" resets:
        // not colours left open (found by a review: a JSON record after a vite banner joined it).
        // An underline closed inside a colour that stays open: the colour still joins the next line.
        ("underline closed inside an open colour",
         ["[1] \u{1B}[36mcalling \u{1B}[4mhttp://x\u{1B}[24m and", "more\u{1B}[39m", "after"],
         [["[1] \u{1B}[36mcalling \u{1B}[4mhttp://x\u{1B}[24m and", "more\u{1B}[39m"], ["after"]]),
        ("underline closed by 24, and a JSON line after a colour left open",
         ["[vite] server running at \u{1B}[4mhttp://localhost:5173/\u{1B}[24m", "next", "[a] \u{1B}[3mx\u{1B}[23m \u{1B}[7my\u{1B}[0;39m", "after",
          "[b] \u{1B}[36mopen", #"{"level":30,"msg":"charged"}"#],
         [["[vite] server running at \u{1B}[4mhttp://localhost:5173/\u{1B}[24m"], ["next"], ["[a] \u{1B}[3mx\u{1B}[23m \u{1B}[7my\u{1B}[0;39m"], ["after"],
          ["[b] \u{1B}[36mopen"], [#"{"level":30,"msg":"charged"}"#]]),
    ]

    @Test("grouping", arguments: cases)
    func grouping(_ name: String, _ lines: [String], _ expected: [[String]]) {
        let input = Array((lines.joined(separator: "\n") + "\n").utf8)
        for chunk in [nil, 1, 3] as [Int?] {
            let records = Support.assemble(input, chunk: chunk)
            #expect(records.map { Support.text($0.raw) } == expected.map { $0.joined(separator: "\n") }, "\(name), chunk \(String(describing: chunk))")
        }
    }

    @Test("an idle close in the middle of a banner releases its lines as they are")
    func idleBanner() {
        var assembler = RecordAssembler(offset: 0)
        #expect(assembler.append(Array("[eval]:1\nfoo()\n".utf8)).isEmpty)
        #expect(assembler.committedOffset == 0)
        let closed = assembler.closePending()
        #expect(closed.map { Support.text($0.raw) } == ["[eval]:1", "foo()"])
        #expect(assembler.committedOffset == 15)
    }

    @Test("crashBanners off: a file:line line is a record of its own at once")
    func bannersOff() {
        var assembler = RecordAssembler(offset: 0, options: AssemblerOptions(crashBanners: false))
        let records = assembler.append(Array("[eval]:1\nfoo()\n".utf8))
        #expect(records.map { Support.text($0.raw) } == ["[eval]:1"])
    }
}

@Suite("dates")
struct DateTests {
    static let cases: [(String, Int64?, Bool)] = [
        ("2026-07-02T10:00:00", Support.tenOClock, false),
        ("2026-07-02T10:00:00Z", Support.tenOClock, true),
        ("2026-07-02T10:00:00.123Z", Support.tenOClock + 123, true),
        ("2026-07-02T10:00:00.123456Z", Support.tenOClock + 123, true),
        ("2026-07-02 12:30:00 +0230", Support.tenOClock, true),
        ("2026-07-02T05:00:00-05:00", Support.tenOClock, true),
        ("2026/07/02 10:00", Support.tenOClock, false),
        ("2026-07-02", Support.tenOClock - 36_000_000, false),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000, true),
        ("1970-01-01T00:00:00Z", 0, true),
        ("2026-13-02T10:00:00", nil, false),
        ("2026-07-02T25:00:00", nil, false),
        ("2026-07-02T10:00:00 junk", nil, false),
        ("10:00:00", nil, false),
    ]

    @Test("date and time spellings", arguments: cases)
    func parse(_ text: String, _ millis: Int64?, _ zoned: Bool) {
        let parsed = DateTimeParser.parse(text)
        #expect(parsed?.milliseconds == millis)
        if millis != nil { #expect(parsed?.zoned == zoned) }
    }
}
