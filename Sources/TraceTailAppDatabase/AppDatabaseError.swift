/// Why the application's database could not be read, in words for `"database": "unreachable: ..."`
/// and the daemon's log. Never holds a password.
package struct AppDatabaseError: Error, CustomStringConvertible, Equatable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
