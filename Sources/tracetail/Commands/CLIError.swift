import TraceTailQuery

/// A failure reported to the user as one line (`Error: ...`) and exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// Runs `body`, turning the query layer's errors (a malformed id, a bad parameter, no records)
    /// into the same message the API gives, on the command line.
    static func wrapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as QueryError { throw CLIError(error.message) }
    }

    static func wrapping<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as QueryError { throw CLIError(error.message) }
    }
}
