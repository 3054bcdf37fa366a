/// What is wrong with a query, in words a client or a user can act on. The HTTP layer answers
/// `badRequest` with 400 and `notFound` with 404 (both with `{"error": message}`); the command line
/// prints the message and exits 1.
package enum QueryError: Error, Equatable, CustomStringConvertible {
    /// A malformed id or parameter; the message names it.
    case badRequest(String)
    /// Nothing matches the id.
    case notFound(String)

    package var message: String {
        switch self {
        case .badRequest(let message), .notFound(let message): message
        }
    }

    package var description: String { message }
}
