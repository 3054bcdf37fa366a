import Foundation
import Testing

/// The page in a real headless Chromium (Debian's `chromium` and `chromium-driver`) against a
/// real daemon on a copy of the samples: the recent traces, search by a trace UUID, a span id and
/// a task id, the waterfall's spans and records against the API's answers, a span's records and
/// its descendants', filters kept in the URL, the original text, a record appended to a log file
/// showing up live, the workflow page with and without the correlation summary, and a console
/// without errors. Without Chromium or chromedriver the test fails with the install command.
///
/// With `WEB_SCREENSHOTS=<dir>` it also saves `trace-page.png`, `workflow-page.png` and
/// `trace-page-narrow.png` there (docs/ holds the ones the README shows).
@Suite("Web page in Chromium", .serialized)
struct BrowserTests {
    static let trace = "3ca0b749-6380-463a-9e52-a8780c3703e3"
    static let canonical = "3ca0b7496380463a9e52a8780c3703e3"
    static let workflow = "efa38b6b-3fd0-4496-acd9-a8600ebf8334"
    static let task = "t-1052"

    struct Span {
        var id: String
        var records: Int
        var errors: Int
        var subtree: [String]
    }

    /// The summary's spans in tree order, each with the ids of its subtree (itself included).
    static func spans(_ overview: [String: Any]) -> [Span] {
        var out: [Span] = []
        func visit(_ node: [String: Any]) -> [String] {
            let index = out.count
            out.append(Span(id: node["span_id"] as? String ?? "", records: node["records"] as? Int ?? -1, errors: node["errors"] as? Int ?? -1, subtree: []))
            var ids = [out[index].id]
            for child in node["children"] as? [[String: Any]] ?? [] { ids += visit(child) }
            out[index].subtree = ids
            return ids
        }
        for root in overview["spans"] as? [[String: Any]] ?? [] { _ = visit(root) }
        return out
    }

    static func strings(_ value: Any?) -> [String] { value as? [String] ?? [] }

    @Test("search, waterfall, span records with descendants, filters in the URL, raw text, live records, workflow and task pages, no console errors", .timeLimit(.minutes(5)))
    func page() async throws {
        try WebDriver.requireInstalled()
        let (root, logs) = try Self.sampleLogs()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await Self.withDaemonAndBrowser(logs: logs) { browser, daemon in
            try await exercise(browser, daemon: daemon, logs: logs)
        }
    }

    func exercise(_ browser: WebDriver, daemon: DaemonProcess, logs: String) async throws {
        let screenshots = ProcessInfo.processInfo.environment["WEB_SCREENSHOTS"]
        let base = "http://127.0.0.1:\(daemon.port)/"
        var console: [(level: String, message: String)] = []

        // The recent traces, those with errors first.
        try await browser.open(base)
        try await browser.wait(for: "the recent traces", "return document.body.dataset.state === 'ready'")
        let listed = try #require(try await daemon.get("/traces?limit=200").1["traces"] as? [[String: Any]])
        let rows = Self.strings(try await browser.run("return Array.from(document.querySelectorAll('table.traces tbody tr')).map(r => r.dataset.traceId)"))
        #expect(Set(rows) == Set(listed.compactMap { $0["trace_id"] as? String }))
        let failed = Set(listed.filter { ($0["errors"] as? Int ?? 0) > 0 }.compactMap { $0["trace_id"] as? String })
        #expect(!failed.isEmpty)
        #expect(Set(rows.prefix(failed.count)) == failed, "traces with errors come first")

        // Search by the trace's UUID: the trace page, live.
        try await browser.type("#search-id", Self.trace + "\u{E007}")
        try await browser.wait(for: "the trace page", "return location.hash.startsWith('#/traces/\(Self.canonical)') && document.body.dataset.state === 'live'")
        let (_, overview) = try await daemon.get("/traces/\(Self.trace)")
        let spans = Self.spans(overview)
        #expect(spans.count == overview["span_count"] as? Int)
        let shownSpans = try await browser.run("""
            return Array.from(document.querySelectorAll('.waterfall [data-span-id]')).map(e => [e.dataset.spanId, Number(e.dataset.records), Number(e.dataset.errors)])
            """) as? [[Any]] ?? []
        #expect(shownSpans.count == spans.count)
        let shownByID = Dictionary(shownSpans.map { ($0[0] as? String ?? "", ($0[1] as? Int ?? -1, $0[2] as? Int ?? -1)) }, uniquingKeysWith: { a, _ in a })
        for span in spans {
            #expect(shownByID[span.id]?.0 == span.records, "records of span \(span.id)")
            #expect(shownByID[span.id]?.1 == span.errors, "errors of span \(span.id)")
        }
        let traceLines = try #require(try await daemon.get("/traces/\(Self.trace)/logs").1["lines"] as? [[String: Any]])
        let listedRecords = Self.strings(try await browser.run("return Array.from(document.querySelectorAll('.all-records [data-record]')).map(e => e.dataset.traceId)"))
        #expect(listedRecords.count == traceLines.count && traceLines.count == overview["records"] as? Int)
        #expect(listedRecords.allSatisfy { $0 == Self.canonical })
        let unspanned = try await browser.run("return document.querySelectorAll('.all-records [data-record] .chip.none').length") as? Int
        #expect(unspanned == overview["unspanned_records"] as? Int, "records outside any span are listed in time order")

        // A span with records and descendants: its records, then with its descendants'.
        let span = try #require(spans.filter { $0.records > 0 && $0.subtree.count > 1 }.min { $0.subtree.count < $1.subtree.count })
        let own = traceLines.filter { $0["span_id"] as? String == span.id }
        let deep = traceLines.filter { span.subtree.contains($0["span_id"] as? String ?? "") }
        #expect(deep.count > own.count)
        let panel = "[data-panel-for=\"\(span.id)\"] [data-record]"
        try await browser.click("[data-span-id=\"\(span.id)\"] .span-toggle")
        try await browser.wait(for: "the span's records", "return document.querySelectorAll('\(panel)').length === \(own.count)")
        let messagesJS = "return Array.from(document.querySelectorAll('\(panel) .msg')).map(e => e.textContent)"
        #expect(Self.strings(try await browser.run(messagesJS)) == own.map { $0["msg"] as? String ?? "" })
        try await browser.click("[data-desc-for=\"\(span.id)\"]")
        try await browser.wait(for: "the descendants' records", "return document.querySelectorAll('\(panel)').length === \(deep.count)")
        #expect(Self.strings(try await browser.run(messagesJS)).sorted() == deep.map { $0["msg"] as? String ?? "" }.sorted())
        if let screenshots {
            try await browser.run("window.scrollTo(0, 0)")
            try await browser.screenshot().write(to: URL(fileURLWithPath: screenshots + "/trace-page.png"))
        }
        let hash = try await browser.run("return location.hash") as? String ?? ""
        #expect(hash.contains("open=\(span.id)") && hash.contains("deep=\(span.id)"), "the URL keeps the view: \(hash)")

        // The original text one click away.
        try await browser.click(panel)
        try await browser.wait(for: "the original text", "return document.querySelector('[data-panel-for=\"\(span.id)\"] pre.raw') !== null")
        let raw = try await browser.run("return document.querySelector('[data-panel-for=\"\(span.id)\"] pre.raw').textContent") as? String
        #expect(raw == deep.first?["raw"] as? String)

        // The level filter, without a reload, kept in the URL (a reload shows the same view).
        let errorCount = try #require(try await daemon.get("/traces/\(Self.trace)/logs?level=error").1["count"] as? Int)
        try await browser.run("const s = document.getElementById('filter-level'); s.value = 'error'; s.dispatchEvent(new Event('change'))")
        try await browser.wait(for: "the level filter", "return document.querySelectorAll('.all-records [data-record]').length === \(errorCount)")
        #expect((try await browser.run("return location.hash") as? String ?? "").contains("level=error"))
        try await browser.run("window.__beforeReload = true; location.reload()")
        try await browser.wait(for: "the reloaded view", "return !window.__beforeReload && document.body.dataset.state === 'live'")
        #expect(try await browser.run("return document.getElementById('filter-level').value") as? String == "error")
        #expect(try await browser.run("return document.querySelectorAll('.all-records [data-record]').length") as? Int == errorCount)
        #expect(try await browser.run("return document.querySelector('[data-panel-for=\"\(span.id)\"] .desc-toggle').checked") as? Bool == true, "the span is still open, with its descendants")
        // The text search narrows further as it is typed.
        let word = "failed"
        let expected = traceLines.filter { line in
            let level = line["level"] as? String ?? (line["stream"] as? String == "err" ? "error" : "info")
            let text = ((line["msg"] as? String ?? "") + "\n" + (line["raw"] as? String ?? "")).lowercased()
            return ["error", "fatal"].contains(level) && text.contains(word)
        }.count
        try await browser.type("#filter-text", word)
        try await browser.wait(for: "the text search", "return location.hash.includes('q=\(word)') && document.querySelectorAll('.all-records [data-record]').length === \(expected)")
        try await browser.run("""
            const t = document.getElementById('filter-text'); t.value = ''; t.dispatchEvent(new Event('input'));
            const s = document.getElementById('filter-level'); s.value = ''; s.dispatchEvent(new Event('change'));
            """)
        try await browser.wait(for: "no filter", "return document.querySelectorAll('.all-records [data-record]').length === \(traceLines.count)")

        // A record appended to a log file shows on the open page, live (how fast is the
        // benchmark's freshness figure, not a test's: these machines are shared).
        let lastTime = traceLines.compactMap { $0["ts"] as? String }.max() ?? ""
        let lastMillis = Int64((ISO8601DateFormatter.withFractions.date(from: lastTime)?.timeIntervalSince1970 ?? 0) * 1000)
        let marker = "live from the browser test \(UUID().uuidString.prefix(8))"
        let line = #"{"level":50,"time":\#(lastMillis + 500),"trace_id":"\#(Self.trace)","span_id":"\#(span.id)","msg":"\#(marker)"}"# + "\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logs + "/agent-deploy-error.log"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
        try handle.close()
        let seen = "return Array.from(document.querySelectorAll('.all-records [data-record] .msg')).some(e => e.textContent === '\(marker)')"
        try await browser.wait(for: "the appended record", timeout: .seconds(60), seen)
        #expect(try await browser.run("return document.querySelectorAll('\(panel)').length") as? Int == deep.count + 1)
        #expect(try await browser.run("return document.body.dataset.state") as? String == "live")
        console += try await browser.consoleLog()
        #expect(Self.strings(try await browser.run("return window.__tracetailErrors")) == [])

        // Search by a span id: its trace, the span open.
        try await browser.type("#search-id", span.id + "\u{E007}")
        try await browser.wait(for: "the span's trace", "return location.hash.includes('open=\(span.id)') && !location.hash.includes('deep=') && document.body.dataset.state === 'live'")
        #expect(try await browser.run("return document.querySelectorAll('\(panel)').length") as? Int == own.count + 1)

        // Search by a task id: the task page, from the logs alone on this daemon.
        let taskLines = try #require(try await daemon.get("/tasks/\(Self.task)/logs?limit=10000").1["lines"] as? [[String: Any]])
        try await browser.type("#search-id", Self.task + "\u{E007}")
        try await browser.wait(for: "the task page", "return location.hash === '#/tasks/\(Self.task)' && document.body.dataset.state === 'ready'")
        #expect(try await browser.run("return document.querySelectorAll('.all-records [data-record]').length") as? Int == taskLines.count)
        #expect(try await browser.run("return document.querySelector('[data-task-id=\"\(Self.task)\"]') !== null") as? Bool == true)

        // The workflow page: what the logs say, with a link to the trace.
        try await browser.run("location.hash = '#/workflows/\(Self.workflow)'")
        try await browser.wait(for: "the workflow page", "return location.hash === '#/workflows/\(Self.workflow)' && document.body.dataset.state === 'ready'")
        let workflowLines = try #require(try await daemon.get("/workflows/\(Self.workflow)/logs?limit=10000").1["lines"] as? [[String: Any]])
        let tasks = Set(workflowLines.compactMap { $0["task_id"] as? String })
        #expect(try await browser.run("return document.querySelectorAll('[data-task-id]').length") as? Int == tasks.count)
        #expect(try await browser.run("return document.querySelector('.trace-links a[href=\"#/traces/\(Self.canonical)\"]') !== null") as? Bool == true)
        if let screenshots {
            try await browser.screenshot().write(to: URL(fileURLWithPath: screenshots + "/workflow-page.png"))
        }

        // With the correlation summary (GET /workflows/{id}, served once that issue lands; here
        // answered by the page's own fetch, replaced for the test): findings first, the row, tasks.
        let summary = #"{"id":"\#(Self.workflow)","database":"postgres://orchestrator","workflow":{"id":"\#(Self.workflow)","status":"failed","trace_id":"\#(Self.canonical)"},"tasks":[{"task_id":"t-1052","row":{"status":"failed"},"records":5,"errors":1,"first":"2026-07-02T10:00:01.000Z","last":"2026-07-02T10:00:02.000Z","trace_ids":["\#(Self.canonical)"],"span_ids":[]}],"trace":null,"findings":[{"kind":"task_failed_in_logs_only","severity":"error","message":"t-1052 failed in the logs"},{"kind":"slow_task","severity":"warn","message":"t-1052 took long"}]}"#
        try await browser.run("""
            const real = window.fetch;
            const body = arguments[0];
            window.fetch = (url, options) => String(url) === '/workflows/\(Self.workflow)'
                ? Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }))
                : real(url, options);
            location.hash = '#/workflows/\(Self.workflow)?level=info';
            """, [summary])
        try await browser.wait(for: "the correlated workflow page", "return document.querySelectorAll('[data-finding-kind]').length === 2 && document.body.dataset.state === 'ready'")
        #expect(Self.strings(try await browser.run("return Array.from(document.querySelectorAll('[data-finding-kind]')).map(e => e.dataset.findingKind)"))
            == ["task_failed_in_logs_only", "slow_task"])
        #expect(try await browser.run("return document.querySelector('table.fields').textContent.includes('failed')") as? Bool == true)

        // Readable on a narrow window; then the console, which must hold no errors.
        try await browser.setWindow(width: 420, height: 900)
        try await browser.open(base + "#/traces/\(Self.canonical)?open=\(span.id)")
        try await browser.wait(for: "the narrow trace page", "return document.body.dataset.state === 'live'")
        let overflow = try await browser.run("return document.documentElement.scrollWidth <= window.innerWidth + 1") as? Bool
        #expect(overflow == true, "no horizontal scrolling at 420 px")
        if let screenshots {
            try await browser.screenshot().write(to: URL(fileURLWithPath: screenshots + "/trace-page-narrow.png"))
        }
        console += try await browser.consoleLog()
        #expect(Self.strings(try await browser.run("return window.__tracetailErrors")) == [])
        // The search asks every kind of id, and the workflow page asks for the correlation
        // summary this daemon does not serve yet: those 404s are answers, not errors.
        let expected404 = try Regex(#"127\.0\.0\.1:\d+/(traces|spans|workflows|tasks)/[^ ?]+(/logs\?limit=1)? - Failed to load resource: the server responded with a status of 404"#)
        let errors = console.filter { $0.level == "SEVERE" && $0.message.firstMatch(of: expected404) == nil }
        #expect(errors.isEmpty, "console errors: \(errors.map(\.message))")
    }
}

extension BrowserTests {
    /// A copy of the bundled sample logs (`samples/pm2-logs`) in `root/logs`, a new temporary
    /// folder (remove `root` afterwards).
    static func sampleLogs() throws -> (root: String, logs: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-browser-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: SamplesTests.repository.appendingPathComponent("samples/pm2-logs").path, toPath: root + "/logs")
        return (root, root + "/logs")
    }

    /// A daemon on `logs` (with `http.token` when given), ready (its first pass stored), and a
    /// browser; both ended afterwards.
    static func withDaemonAndBrowser(
        logs: String, token: String? = nil, _ body: (WebDriver, DaemonProcess) async throws -> Void
    ) async throws {
        let root = (logs as NSString).deletingLastPathComponent
        let daemon = try DaemonProcess(
            arguments: ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0"], token: token)
        defer { daemon.kill() }
        try await daemon.waitUntilListening()
        let deadline = ContinuousClock.now + .seconds(120)
        while try await daemon.get("/readyz").0 != 200 {
            guard ContinuousClock.now < deadline else { throw DaemonError("not ready: \(daemon.log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let browser = try await WebDriver()
        do {
            try await body(browser, daemon)
            await browser.quit()
        } catch {
            await browser.quit()
            throw error
        }
    }

    @Test("a trace of 10,000 records in 500 spans renders a page of each and pages the rest", .timeLimit(.minutes(5)))
    func largeTrace() async throws {
        try WebDriver.requireInstalled()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-browser-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        let trace = "6d1c2b3a4f5e4d6c8b7a695847362514"
        let base: Int64 = 1_782_986_400_000
        // Span n (1...500) is a child of span n / 2: a tree nine levels deep; 20 records each.
        func span(_ n: Int) -> String { String(format: "%016llx", UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1) }
        var text = ""
        for n in 1...500 {
            for k in 0..<20 {
                let level = k == 19 && n % 50 == 0 ? 50 : 30
                let parent = n > 1 ? #","parent_span_id":"\#(span(n / 2))""# : ""
                text += #"{"level":\#(level),"time":\#(base + Int64(n * 20 + k)),"trace_id":"\#(trace)","span_id":"\#(span(n))"\#(parent),"msg":"span \#(n) step \#(k)"}"# + "\n"
            }
        }
        try text.write(toFile: root + "/logs/big-out.log", atomically: true, encoding: .utf8)
        try await Self.withDaemonAndBrowser(logs: root + "/logs") { browser, daemon in
            let (_, overview) = try await daemon.get("/traces/\(trace)")
            #expect(overview["records"] as? Int == 10_000 && overview["span_count"] as? Int == 500)
            let start = ContinuousClock.now
            try await browser.open("http://127.0.0.1:\(daemon.port)/#/traces/\(trace)")
            try await browser.wait(for: "the large trace", timeout: .seconds(60), "return document.body.dataset.state === 'live'")
            print("large trace: 10,000 records in 500 spans live in the page after \(ContinuousClock.now - start)")
            #expect(try await browser.run("return document.querySelectorAll('.waterfall [data-span-id]').length") as? Int == 300)
            #expect(try await browser.run("return document.querySelectorAll('.all-records [data-record]').length") as? Int == 500)
            #expect(try await browser.run("return document.querySelector('.trace-head').textContent.includes('10000 records')") as? Bool == true)
            try await browser.click(".all-records button.more")
            try await browser.wait(for: "the next page of records", "return document.querySelectorAll('.all-records [data-record]').length === 1000")
            try await browser.click(".waterfall > button.more")
            try await browser.wait(for: "the other spans", "return document.querySelectorAll('.waterfall [data-span-id]').length === 500")
            let errors = try await browser.run("return document.querySelectorAll('.waterfall .span-row.error').length") as? Int
            #expect(errors == 10)
            #expect(Self.strings(try await browser.run("return window.__tracetailErrors")) == [])
        }
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

extension BrowserTests {
    @Test("with http.token set, a browser opens /?token= once and the page works, live stream included", .timeLimit(.minutes(5)))
    func pageWithToken() async throws {
        try WebDriver.requireInstalled()
        let (root, logs) = try Self.sampleLogs()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let token = "browser token; with \"quotes\" and ü"
        try await Self.withDaemonAndBrowser(logs: logs, token: token) { browser, daemon in
            let base = "http://127.0.0.1:\(daemon.port)/"
            // Without the token the page is refused, and says how to get in.
            try await browser.open(base)
            let refused = try await browser.run("return document.body.textContent") as? String ?? ""
            #expect(refused.contains("/?token="), "\(refused)")
            #expect(try await browser.run("return document.body.dataset.state || ''") as? String == "")

            // Once with the token: sent back to the page without it, which then loads.
            let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await browser.open(base + "?token=" + encoded)
            try await browser.wait(for: "the recent traces", "return document.body.dataset.state === 'ready'")
            #expect(try await browser.run("return location.search") as? String == "")
            #expect(try await browser.run("return document.cookie") as? String == "", "the cookie is HttpOnly")
            let rows = try await browser.run("return document.querySelectorAll('table.traces tbody tr').length") as? Int ?? 0
            #expect(rows > 0)

            // A trace page: its summary by fetch, its records by EventSource, both with the cookie.
            try await browser.open(base + "#/traces/\(Self.canonical)")
            try await browser.wait(for: "the live trace page", "return document.body.dataset.state === 'live'")
            let records = try await browser.run("return document.querySelectorAll('.all-records [data-record]').length") as? Int ?? 0
            let overview = try await daemon.get("/traces/\(Self.trace)").1
            #expect(records == overview["records"] as? Int)
        }
    }
}
