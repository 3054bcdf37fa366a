import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `tracetail` executable as a user would, capturing its output.
struct CommandLineRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `tracetail` with `arguments`, with `environment` added to the test's own (whose
    /// `TRACETAIL_` variables are left out).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandLineRun {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment) })
            }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], environment extra: [String: String]) throws -> CommandLineRun {
        let process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRACETAIL_") }
        environment.merge(extra) { $1 }
        process.environment = environment
        // Standard error to a file, standard output through a pipe read to its end before waiting,
        // so that neither can fill up and block the child.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-cli-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return CommandLineRun(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

extension DaemonProcess {
    /// A GET answered as text (`/metrics`).
    func text(_ path: String) async throws -> (Int, String) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}

/// A long-running `tracetail` command (`tail`) whose standard output is collected as it comes.
final class FollowingProcess: @unchecked Sendable {
    let process = Process()
    private let stdout = Pipe()
    private var collected = Data()
    private let lock = NSLock()

    init(_ arguments: [String]) throws {
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TRACETAIL_CONFIG"] = nil
        process.environment = environment
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.lock()
            self.collected.append(data)
            self.lock.unlock()
        }
        try process.run()
    }

    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    func waitForOutput(timeout: Duration = .seconds(20), _ done: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if done(output) { return }
            guard process.isRunning else { throw DaemonError("exited early: \(output)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonError("timed out; output so far: \(output)")
    }

    func exitStatus(timeout: Duration = .seconds(10)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        stdout.fileHandleForReading.readabilityHandler = nil
        return process.isRunning ? -1 : process.terminationStatus
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        stdout.fileHandleForReading.readabilityHandler = nil
    }
}

/// Runs blocking work (waiting for a child process) on a thread of its own, so that the two
/// cooperative threads of this 2-core machine stay free for the servers other tests run.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
