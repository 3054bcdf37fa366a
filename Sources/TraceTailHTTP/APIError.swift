import Hummingbird
import TraceTailQuery

/// An error answered to a client: a status and a JSON body `{"error": "..."}` naming what was wrong.
package struct APIError: HTTPResponseError, CustomStringConvertible {
    package var status: HTTPResponse.Status
    package var message: String
    /// Extra headers of the answer (`Allow` on a 405).
    package var headers: HTTPFields

    package init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    package static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    package static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    package var description: String { "\(status.code) \(message)" }

    /// The query layer's errors as answered: the client's mistake (400) or nothing found (404).
    package init(_ error: QueryError) {
        switch error {
        case .badRequest(let message): self.init(.badRequest, message)
        case .notFound(let message): self.init(.notFound, message)
        }
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var writer = JSONWriter()
        writer.object { object in object.field("error", message) }
        var response = Response.json(writer.bytes, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension Response {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Turns every error into a JSON answer: our own as they are, Hummingbird's (unknown route,
/// wrong method) with their status, anything else as a logged 500 that says nothing of internals.
/// Outermost, so it also sees what no route matched; a `HEAD` answer loses its body here (every
/// route runs the same handler for `GET` and `HEAD`), so `HEAD` gets `GET`'s status and headers
/// everywhere, errors included.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// What a 405 lists in `Allow`.
    static var allowed: String { "GET, HEAD" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as CancellationError {
            // The client went away (or the server is stopping): nothing to answer, nothing wrong.
            throw error
        } catch {
            response = try Self.apiError(for: error, request, context).response(from: request, context: context)
        }
        return request.method == .head ? Self.withoutBody(response) : response
    }

    /// The answer's status and headers without its body. Unlike `createHeadResponse()`, a streamed
    /// answer (no `Content-Length`) does not become `Content-Length: 0`.
    static func withoutBody(_ response: Response) -> Response {
        var head = Response(status: response.status, headers: response.headers)
        if !response.headers.contains(.contentLength) { head.headers[.contentLength] = nil }
        return head
    }

    static func apiError(for error: any Error, _ request: Request, _ context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as QueryError:
            return APIError(error)
        case let error as HTTPError:
            switch error.status {
            case .notFound where request.method != .get && request.method != .head, .methodNotAllowed:
                return APIError(
                    .methodNotAllowed,
                    "method \(request.method) not allowed on \(QueryParameters.clip(request.uri.path)): the API is read-only (GET, HEAD)",
                    headers: [.allow: allowed])
            case .notFound:
                return APIError(.notFound, "no such endpoint: \(request.method) \(QueryParameters.clip(request.uri.path))")
            default:
                return APIError(error.status, error.body ?? error.status.reasonPhrase)
            }
        default:
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError(.internalServerError, "internal error; see the daemon's log")
        }
    }
}
