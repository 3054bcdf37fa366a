import Foundation

/// Runs programs and measures them: wall time, and peak resident memory from the kernel's own
/// accounting (`wait4`'s rusage), so nothing is sampled.
enum Subprocess {
    struct Outcome {
        var status: Int32
        var seconds: Double
        var peakRSSKiB: Int
        /// Peak of the process's private memory (`RssAnon`, sampled every 20 ms): RSS less the
        /// program's code and libraries mapped from disk, which RSS counts too.
        var peakPrivateKiB: Int = 0
        var output: String
        /// CPU time, user and system, of the process and the children it waited for.
        var cpuSeconds: Double = 0
    }

    /// Runs `executable` with `arguments` to completion.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Outcome {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).out").path
        guard FileManager.default.createFile(atPath: outputFile, contents: nil) else { throw BenchError("cannot create \(outputFile)") }
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        let sampler = PrivateMemorySampler(pid: pid)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let privatePeak = sampler.stop()
        let seconds = Date().timeIntervalSince(started)
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Outcome(
            status: exit, seconds: seconds, peakRSSKiB: Int(usage.ru_maxrss), peakPrivateKiB: privatePeak, output: output, cpuSeconds: cpu)
    }

    /// Runs a shell pipeline (for the baselines: `gzip`, `rg`).
    static func shell(_ command: String) throws -> Outcome {
        try run("/bin/sh", ["-c", command])
    }

    static func which(_ tool: String) -> String? {
        let outcome = try? shell("command -v \(tool)")
        let path = outcome?.output.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return outcome?.status == 0 && !path.isEmpty ? path : nil
    }
}

/// A daemon started for the benchmark and stopped by it.
final class Daemon {
    let process = Process()
    let logFile: String
    /// Whether the log is kept when the daemon stops (`chaos --keep`: each run's daemon logs stay
    /// beside its store, to be read when a run fails).
    let keepsLog: Bool
    private(set) var port = 0
    private var sampler: PrivateMemorySampler?

    /// The daemon's peak private memory so far (`RssAnon`, sampled every 20 ms since it started).
    var peakPrivateKiB: Int { sampler?.peak ?? 0 }

    init(executable: String, arguments: [String], environment: [String: String] = [:], logFile kept: String? = nil) throws {
        logFile = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("bench-daemon-\(UUID().uuidString).log").path
        keepsLog = kept != nil
        guard FileManager.default.createFile(atPath: logFile, contents: nil) else { throw BenchError("cannot create \(logFile)") }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logFile)
        try process.run()
        sampler = PrivateMemorySampler(pid: process.processIdentifier)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if let range = log.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last!)!
                return
            }
            guard process.isRunning else { throw BenchError("daemon exited: \(log)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BenchError("daemon did not start listening")
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        _ = sampler?.stop()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if !keepsLog { try? FileManager.default.removeItem(atPath: logFile) }
        return process.terminationStatus
    }

    /// SIGKILL and wait.
    func kill() {
        _ = sampler?.stop()
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if !keepsLog { try? FileManager.default.removeItem(atPath: logFile) }
    }

    deinit { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }
}

/// Samples a process's private memory (`RssAnon` in /proc/PID/status) every 20 ms and keeps the
/// peak. The kernel keeps the peak of the whole RSS (`VmHWM`, `ru_maxrss`) but not of this part.
/// A peak shorter than 20 ms can be missed: the figure is a lower bound, within a few MB.
final class PrivateMemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var highest = 0
    private var stopped = false
    private var thread: Thread?

    init(pid: Int32) {
        let thread = Thread { [weak self] in
            while let self, !self.isStopped {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                if let kib = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") })?
                    .split(separator: " ").compactMap({ Int($0) }).first
                {
                    self.lock.withLock { self.highest = max(self.highest, kib) }
                }
                usleep(20_000)
            }
        }
        self.thread = thread
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    var peak: Int { lock.withLock { highest } }

    /// Stops sampling; returns the peak.
    func stop() -> Int {
        lock.withLock {
            stopped = true
            return highest
        }
    }

    deinit { stopped = true }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Creates (or empties) a file the benchmark needs, or says which one it could not.
func createFile(_ path: String, contents: Data = Data()) throws {
    guard FileManager.default.createFile(atPath: path, contents: contents) else {
        throw BenchError("cannot create \(path)")
    }
}
