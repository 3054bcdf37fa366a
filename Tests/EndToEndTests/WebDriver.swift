import Foundation

/// A headless Chromium driven through chromedriver's W3C WebDriver HTTP API: chromedriver runs as
/// a child process on a free port of 127.0.0.1, and each call is one JSON request to it.
final class WebDriver: @unchecked Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static let install = "apt-get install -y chromium chromium-driver"
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process = Process()
    let port: Int
    private(set) var session = ""

    /// Fails (never skips) when Chromium or chromedriver is missing, naming the install command.
    static func requireInstalled() throws {
        for path in [chromium, chromedriver] where !FileManager.default.isExecutableFile(atPath: path) {
            throw Failure(description: "\(path) is missing: the browser tests need Debian's Chromium and its driver (\(install))")
        }
    }

    init(width: Int = 1280, height: Int = 900) async throws {
        try Self.requireInstalled()
        port = try FreePort.pick()
        process.executableURL = URL(fileURLWithPath: Self.chromedriver)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if let status = try? await call("GET", "/status") as? [String: Any], status["ready"] as? Bool == true { break }
            guard ContinuousClock.now < deadline, process.isRunning else { throw Failure(description: "chromedriver did not start on port \(port)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": Self.chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)",
                                 "--no-first-run", "--no-default-browser-check", "--hide-scrollbars"],
                    ],
                    "goog:loggingPrefs": ["browser": "ALL"],
                ] as [String: Any],
            ],
        ]
        let answer = try await call("POST", "/session", capabilities) as? [String: Any]
        guard let id = answer?["sessionId"] as? String else { throw Failure(description: "no session: \(String(describing: answer))") }
        session = id
    }

    /// Ends the session and chromedriver (which ends the browser).
    func quit() async {
        if !session.isEmpty { _ = try? await call("DELETE", "/session/\(session)") }
        stop()
    }

    /// chromedriver does not end on SIGTERM: SIGKILL, then reap it.
    private func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    // MARK: Commands

    func open(_ url: String) async throws {
        _ = try await command("POST", "url", ["url": url])
    }

    /// Runs `script` (a function body; `arguments[0]`... are `arguments`) in the page; its result.
    @discardableResult
    func run(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command("POST", "execute/sync", ["script": script, "args": arguments])
    }

    /// Waits until `script` returns true; fails with what `describe` returns then.
    func wait(
        for what: String, timeout: Duration = .seconds(20), _ script: String, describe: String = "return document.body.dataset.state + ' ' + location.hash"
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await run(script) as? Bool == true { return }
            if ContinuousClock.now >= deadline {
                let state = try? await run(describe)
                throw Failure(description: "timed out waiting for \(what); page: \(String(describing: state ?? "?"))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func element(_ css: String) async throws -> String {
        let found = try await command("POST", "element", ["using": "css selector", "value": css]) as? [String: Any]
        guard let id = found?[Self.elementKey] as? String else { throw Failure(description: "no element \(css)") }
        return id
    }

    /// Clicks the element as a user would, centred first so the page's sticky header and filter
    /// bar do not cover it.
    func click(_ css: String) async throws {
        let id = try await element(css)
        try await run("arguments[0].scrollIntoView({ block: 'center' })", [[Self.elementKey: id]])
        _ = try await command("POST", "element/\(id)/click", [:])
    }

    /// Types `text` into the element (`\u{E007}` is Enter).
    func type(_ css: String, _ text: String) async throws {
        let id = try await element(css)
        _ = try await command("POST", "element/\(id)/clear", [:])
        _ = try await command("POST", "element/\(id)/value", ["text": text])
    }

    func screenshot() async throws -> Data {
        guard let base64 = try await command("GET", "screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    func setWindow(width: Int, height: Int) async throws {
        _ = try await command("POST", "window/rect", ["width": width, "height": height])
    }

    /// The browser's console since the last call: (level, message) pairs.
    func consoleLog() async throws -> [(level: String, message: String)] {
        let entries = try await command("POST", "se/log", ["type": "browser"]) as? [[String: Any]] ?? []
        return entries.map { ($0["level"] as? String ?? "?", $0["message"] as? String ?? "") }
    }

    // MARK: Transport

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let answer = try await call(method, "/session/\(session)/\(path)", body)
        return (answer as? [String: Any]).flatMap { $0["value"] is NSNull ? nil : $0["value"] }
    }

    /// One request on a connection of its own. Not URLSession: swift-corelibs-foundation refuses
    /// chromedriver's headers, which have no space after the colon (`Content-Length:250`).
    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        if ProcessInfo.processInfo.environment["WEBDRIVER_TRACE"] != nil { FileHandle.standardError.write(Data("webdriver: \(method) \(path)\n".utf8)) }
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let port = port
        let (status, data) = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int, Data), any Error>) in
            Thread {
                continuation.resume(with: Result {
                    let fd = try RawHTTP(port: port).connect()
                    defer { close(fd) }
                    var timeout = timeval(tv_sec: 120, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                    var request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n".utf8)
                    request += Array("Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n".utf8)
                    RawHTTP.write(fd, request + Array(payload))
                    // chromedriver keeps the connection open: read the head, then Content-Length bytes.
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    var headEnd: Int?
                    var length = 0
                    while headEnd.map({ received.count < $0 + 4 + length }) ?? true {
                        let n = recv(fd, &buffer, buffer.count, 0)
                        if n < 0, errno == EINTR { continue }
                        guard n > 0 else { break }
                        received += buffer[0..<n]
                        if headEnd == nil, let found = received.indices.dropLast(3).first(where: { received[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }) {
                            headEnd = found
                            for line in String(decoding: received[..<found], as: UTF8.self).split(separator: "\r\n") {
                                let parts = line.split(separator: ":", maxSplits: 1)
                                if parts.count == 2, parts[0].lowercased() == "content-length" {
                                    length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                                }
                            }
                        }
                    }
                    guard let end = headEnd else { throw Failure(description: "WebDriver \(method) \(path): no answer") }
                    let head = String(decoding: received[..<end], as: UTF8.self)
                    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                    return (status, Data(received[(end + 4)...]))
                })
            }.start()
        }
        let object = try? JSONSerialization.jsonObject(with: data)
        guard status == 200 else {
            let value = (object as? [String: Any])?["value"] as? [String: Any]
            throw Failure(description: "WebDriver \(method) \(path): \(status) \(value?["error"] ?? "") \(String(describing: value?["message"] ?? String(decoding: data, as: UTF8.self)).prefix(400))")
        }
        if path == "/session", method == "POST" { return (object as? [String: Any])?["value"] }
        if path == "/status" { return (object as? [String: Any])?["value"] }
        return object
    }

}
