import Hummingbird

/// An error answered to a client: a status and a JSON body `{"error": "..."}` naming what was wrong.
package struct APIError: HTTPResponseError, CustomStringConvertible {
    package var status: HTTPResponse.Status
    package var message: String

    package init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    package static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    package static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    package var description: String { "\(status.code) \(message)" }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var writer = JSONWriter()
        writer.object { object in object.field("error", message) }
        return Response.json(writer.bytes, status: status)
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
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound where request.method != .get && request.method != .head, .methodNotAllowed:
                throw APIError(.methodNotAllowed, "method \(request.method) not allowed on \(QueryParameters.clip(request.uri.path)): the API is read-only (GET)")
            case .notFound:
                throw APIError(.notFound, "no such endpoint: \(request.method) \(QueryParameters.clip(request.uri.path))")
            default:
                throw APIError(error.status, error.body ?? error.status.reasonPhrase)
            }
        } catch let error as CancellationError {
            // The client went away (or the server is stopping): nothing to answer, nothing wrong.
            throw error
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "internal error; see the daemon's log")
        }
    }
}
