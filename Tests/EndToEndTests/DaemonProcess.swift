import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `tracetail` executable, started as a child process the way a user starts it.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let stderr = Pipe()
    private(set) var port = 0
    private var output = Data()
    private let lock = NSLock()

    /// The built executable beside the test bundle (`swift test` builds it).
    static var executable: URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            root.appendingPathComponent(".build/debug/tracetail"),
            URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent().appendingPathComponent("tracetail"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// The bearer token `get` sends (the daemon's `http.token`), if any.
    let token: String?

    /// `token` is given to the daemon as `TRACETAIL_HTTP_TOKEN`; `environment` is added to this
    /// process's.
    /// `launcher`: a command that starts the daemon (its path and arguments, the daemon's path
    /// and arguments after them), as `setpriv` to run it as another user; `executable`: another
    /// copy of the daemon than the build's.
    init(
        arguments: [String], token: String? = nil, environment extra: [String: String] = [:], launcher: [String] = [],
        executable: URL = DaemonProcess.executable
    ) throws {
        self.token = token
        if let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["TRACETAIL_CONFIG"] = nil
        environment["TRACETAIL_HTTP_TOKEN"] = token
        environment.merge(extra) { $1 }
        process.environment = environment
        stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.lock()
            self.output.append(data)
            self.lock.unlock()
        }
        try process.run()
    }

    var log: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    /// Waits for the "listening" log line and reads the port from it.
    func waitUntilListening(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = log.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last!)!
                return
            }
            guard process.isRunning else { throw DaemonError("daemon exited early: \(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonError("daemon did not start listening: \(log)")
    }

    func get(_ path: String) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as! HTTPURLResponse).statusCode
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (status, body)
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        stderr.fileHandleForReading.readabilityHandler = nil
        return process.isRunning ? -1 : process.terminationStatus
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        stderr.fileHandleForReading.readabilityHandler = nil
    }

    deinit { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }
}

struct DaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
