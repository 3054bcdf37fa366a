/// Why the application's database could not be read, in words for `"database": "unreachable: ..."`
/// and the daemon's log. Never holds a password.
package struct AppDatabaseError: Error, CustomStringConvertible, Equatable {
    package var description: String
    package var cause: Cause

    /// Whose the failure is, for how later reads go (`PostgresApplicationRows`).
    package enum Cause: Sendable, Equatable {
        /// The server answered (an error of its own), or a setting is wrong.
        case answered
        /// The server was not reached, or did not answer in time: later reads fail at once a while.
        case unreached
        /// Refused here before reaching the server (the permit queue full, the server known away).
        case refusedHere
    }

    package init(_ description: String, cause: Cause = .answered) {
        self.description = description
        self.cause = cause
    }
}
