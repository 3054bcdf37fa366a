import ArgumentParser
import Foundation
import TraceTailCore
import TraceTailHTTP
import TraceTailStore

/// Which id a reading command (`logs`, `tail`) looks records up by: exactly one of four.
struct IDOptions: ParsableArguments {
    @Option(help: "A trace id: a UUID, 32 hex characters, or an opaque id.")
    var trace: String?

    @Option(help: "A span id: 16 hex characters or an opaque id.")
    var span: String?

    @Option(help: "A workflow id, as the Workflow row holds it.")
    var workflow: String?

    @Option(help: "A task id, as the AgentTask row holds it.")
    var task: String?

    func validate() throws {
        let given = [trace, span, workflow, task].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --trace, --span, --workflow, --task") }
    }

    func requested() throws -> RequestedID {
        let (kind, text): (IDKind, String) =
            if let trace { (.trace, trace) } else if let span { (.span, span) } else if let workflow { (.workflow, workflow) } else { (.task, task ?? "") }
        return try CLIError.wrapping { try RequestedID(kind: kind, text: text) }
    }
}

/// A failure reported to the user as one line (`Error: ...`) and exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// Runs `body`, turning the API's errors (a malformed id, a bad parameter, no records) into
    /// the same message on the command line.
    static func wrapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as APIError { throw CLIError(error.message) }
    }

    static func wrapping<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as APIError { throw CLIError(error.message) }
    }
}

/// What reading commands share: the settings, the store opened on an existing database, output.
struct Reader {
    let settings: Settings
    let store: SQLiteLogStore
    let presenter: RecordPresenter
    let renderer: TextRenderer

    init(_ common: CommonOptions) throws {
        settings = try common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            throw CLIError("no database at \(settings.databasePath) (store.path, --db); run tracetail serve or ingest first")
        }
        store = try Bootstrap.openStore(settings, logger: logger)
        presenter = RecordPresenter(parser: settings.parser)
        renderer = TextRenderer(presenter: presenter, colour: Terminal.colours)
    }
}

enum Terminal {
    /// ANSI colours when standard output is a terminal and NO_COLOR is not set.
    static var colours: Bool {
        isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}

/// Standard output through one buffer written with write(2), for text and raw record bytes
/// alike (raw text need not be valid UTF-8, so it cannot go through `print`).
struct Output {
    private var buffer: [UInt8] = []

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(10)
        if buffer.count >= 64 * 1024 { flush() }
    }

    mutating func line(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        buffer.append(10)
        if buffer.count >= 64 * 1024 { flush() }
    }

    mutating func flush() {
        var written = 0
        while written < buffer.count {
            let n = buffer[written...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            written += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
