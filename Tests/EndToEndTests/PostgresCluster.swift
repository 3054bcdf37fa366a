import Foundation

/// A throwaway PostgreSQL cluster of the tests' own: `initdb` in a temporary directory, `pg_ctl`
/// start on a free port of 127.0.0.1, trust authentication, stopped and removed when the test
/// process exits. A real server from the installed `postgresql` package, never a mock.
///
/// `initdb` refuses to run as root, and CI runs as root: there the cluster runs as the `postgres`
/// user the Debian package creates. A machine without the server gets an error that names the
/// install command; no test skips silently.
///
/// One cluster serves a whole test process (`PostgresCluster.shared()`); each test takes a
/// database of its own (`createDatabase()`) so that tests run in parallel without sharing rows.
final class PostgresCluster: Sendable {
    let directory: URL
    let port: Int
    let binaries: URL
    /// The operating-system user the server runs as (nil: the current user).
    let runAs: String?
    let host = "127.0.0.1"
    /// The database superuser, with trust authentication on 127.0.0.1.
    let superuser = "postgres"

    /// A cluster of the caller's own, to stop and start without disturbing the shared one (a
    /// database that goes away and comes back); the caller ends it with `remove()`. One abandoned
    /// by a crash is reaped by the next run.
    static func makePrivate() throws -> PostgresCluster { try create() }

    /// Stops a private cluster and deletes its files.
    func remove() {
        Self.stopServer(in: directory)
        try? FileManager.default.removeItem(at: directory)
    }

    static let installCommand = "apt-get install -y postgresql"

    /// The process's one cluster, started on first use.
    static func shared() async throws -> PostgresCluster {
        try await SharedCluster.instance.get()
    }

    /// A cluster of the caller's own, not the shared one: for a test that stops or restarts its
    /// server, so that suites running beside it keep theirs. Stopped and removed at exit too.
    static func start() throws -> PostgresCluster {
        let cluster = try create()
        SharedClusterExit.register(cluster.directory)
        return cluster
    }

    /// A `postgres://` URL for a database of this cluster.
    func url(database: String = "postgres", user: String? = nil, password: String? = nil) -> String {
        let name = user ?? superuser
        let credentials = password.map { "\(name):\($0)" } ?? name
        return "postgres://\(credentials)@\(host):\(port)/\(database)"
    }

    /// Creates a database with a fresh unique name and returns the name.
    func createDatabase(prefix: String = "test") throws -> String {
        let name = "\(prefix)_\(UInt64.random(in: 0 ... .max) & 0xFFFF_FFFF_FFFF)"
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL with `psql` as the superuser; returns what it printed (unaligned, tuples only,
    /// `|` between columns). Throws with psql's error text when a statement fails.
    @discardableResult
    func psql(_ sql: String, database: String = "postgres", user: String? = nil) throws -> String {
        try Self.run(
            binaries.appendingPathComponent("psql"),
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", "\(port)", "-U", user ?? superuser,
             "-d", database, "-c", sql],
            as: nil
        )
    }

    /// Runs a file of SQL with `psql` (a schema, a seed).
    @discardableResult
    func psql(file: URL, database: String) throws -> String {
        try Self.run(
            binaries.appendingPathComponent("psql"),
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", "\(port)", "-U", superuser,
             "-d", database, "-f", file.path],
            as: nil
        )
    }

    /// Stops the server the quick way (`immediate`: no checkpoint, as a crash would) or the
    /// clean way (`fast`).
    func stop(mode: String = "fast") throws {
        try pgCtl(["stop", "-m", mode, "-w"])
    }

    /// Starts the stopped server again on the same port and data.
    func start() throws {
        try pgCtl(["start", "-w", "-t", "60", "-l", directory.appendingPathComponent("server.log").path,
                   "-o", "-p \(port) -h \(host) -k \(directory.path) -c fsync=off -c max_connections=200"])
    }

    /// A restart as an operator does it, or as a crash and recovery does (`immediate`).
    func restart(mode: String = "fast") throws {
        try stop(mode: mode)
        try start()
    }

    /// The server's log, for a failing test's message.
    var serverLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    // MARK: - Setting up

    private init(directory: URL, port: Int, binaries: URL, runAs: String?) {
        self.directory = directory
        self.port = port
        self.binaries = binaries
        self.runAs = runAs
    }

    fileprivate static func create() throws -> PostgresCluster {
        guard let binaries = findBinaries() else {
            throw ClusterError(
                "the PostgreSQL server is not installed (no initdb and pg_ctl found): install it with "
                    + "`\(installCommand)` (.ci/run does this), then run the tests again")
        }
        reapAbandonedClusters()
        let runAs: String? = getuid() == 0 ? "postgres" : nil
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tracetail-pg-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "\(getpid())".write(to: directory.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
        if let runAs {
            guard let user = getpwnam(runAs) else {
                throw ClusterError(
                    "running as root, the test cluster runs as the `postgres` user, which does not exist: "
                        + "install the server with `\(installCommand)`, which creates it")
            }
            guard chown(directory.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw ClusterError("cannot hand \(directory.path) to the postgres user: errno \(errno)")
            }
        }
        let data = directory.appendingPathComponent("data")
        try run(binaries.appendingPathComponent("initdb"),
                ["-D", data.path, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
                as: runAs)
        // A free port: the kernel's choice for a socket bound to port 0. Another process may take
        // it before the server binds it; then start again with another.
        var lastError: (any Error)?
        for _ in 0 ..< 5 {
            let cluster = PostgresCluster(directory: directory, port: try FreePort.pick(), binaries: binaries, runAs: runAs)
            do {
                try cluster.start()
                return cluster
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ClusterError("the test cluster did not start")
    }

    private func pgCtl(_ arguments: [String]) throws {
        try Self.run(binaries.appendingPathComponent("pg_ctl"),
                     ["-D", directory.appendingPathComponent("data").path] + arguments, as: runAs)
    }

    /// The server's programs: from PATH's `pg_ctl`, or Debian's versioned directory.
    private static func findBinaries() -> URL? {
        var candidates: [URL] = []
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append(URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin"))
        }
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(URL(fileURLWithPath: String(path)))
        }
        return candidates.first { dir in
            ["initdb", "pg_ctl", "psql"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent($0).path)
            }
        }
    }

    /// Clusters whose test process died without stopping them (a crash, a kill): stopped and
    /// removed, so that they do not pile up over many runs.
    private static func reapAbandonedClusters() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix("tracetail-pg-") {
            let directory = temporary.appendingPathComponent(name)
            guard let text = try? String(contentsOf: directory.appendingPathComponent("owner.pid"), encoding: .utf8),
                  let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            stopServer(in: directory)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Stops a server by the pid in its `postmaster.pid` (immediate shutdown: SIGQUIT).
    fileprivate static func stopServer(in directory: URL) {
        let pidFile = directory.appendingPathComponent("data/postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let line = text.split(separator: "\n").first, let pid = pid_t(line)
        else { return }
        kill(pid, SIGQUIT)
        for _ in 0 ..< 100 where kill(pid, 0) == 0 {
            usleep(50_000)
        }
    }

    /// Runs a program to its end, as `user` when given (through `runuser`); throws with its
    /// output when it fails.
    ///
    /// Spawned with posix_spawn, every descriptor above stderr closed in the child, and reaped
    /// with waitpid: Foundation's Process learns of an exit through a descriptor the child
    /// inherits, and the server that `pg_ctl start` leaves running would hold it open for ever.
    @discardableResult
    private static func run(_ program: URL, _ arguments: [String], as user: String?) throws -> String {
        let inRoot = ["/usr/bin/env", "-C", "/", program.path]
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--"] + inRoot } ?? inRoot
        let outputFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tracetail-pg-output-\(getpid())-\(UInt64.random(in: 0 ... .max))")
        defer { try? FileManager.default.removeItem(at: outputFile) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { throw ClusterError("this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later)") }
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)

        let cArguments = (argv + arguments).map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var environment = ProcessInfo.processInfo.environment
        environment["PGCONNECT_TIMEOUT"] = "10"
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cEnvironment.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else { throw ClusterError("cannot start \(argv[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw ClusterError("waitpid: errno \(errno)") }
        }
        let text = String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
        // Exited normally with status 0: the low 7 bits (the signal) and the exit code are 0.
        guard status == 0 else {
            throw ClusterError("\(program.lastPathComponent) \(arguments.joined(separator: " ")) failed "
                + "(wait status \(status)): \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts the process's cluster once, whoever asks first, and stops it when the process exits.
private actor SharedCluster {
    static let instance = SharedCluster()
    private var starting: Task<PostgresCluster, any Error>?

    /// The first caller starts the cluster, on a thread of its own (initdb and pg_ctl block for
    /// seconds: on Swift's cooperative pool they would stall every other suite); the others wait
    /// for the same task.
    func get() async throws -> PostgresCluster {
        if let starting { return try await starting.value }
        let task = Task {
            let cluster = try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try PostgresCluster.create() }) }.start()
            }
            SharedClusterExit.register(cluster.directory)
            return cluster
        }
        starting = task
        return try await task.value
    }
}

/// `atexit` takes a C function: the directories to clean up are kept in a global for it.
private enum SharedClusterExit {
    nonisolated(unsafe) static var directories: [URL] = []
    static let lock = NSLock()

    static func register(_ directory: URL) {
        lock.lock()
        defer { lock.unlock() }
        directories.append(directory)
        guard directories.count == 1 else { return }
        atexit {
            SharedClusterExit.lock.lock()
            let all = SharedClusterExit.directories
            SharedClusterExit.lock.unlock()
            for directory in all {
                PostgresCluster.stopServer(in: directory)
                try? FileManager.default.removeItem(at: directory)
            }
        }
    }
}
