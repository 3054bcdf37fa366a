import NIOCore
import NIOHTTP1

/// Between the HTTP/1 decoder and the conversion to HTTP types (which forgets the request's
/// version): makes every request that must not keep its connection say `connection: close`, which
/// is what Hummingbird looks for to close after the answer, and says so in the answer.
///
/// - HTTP/1.0: the connection is closed after the answer, keep-alive asked for or not (the answer
///   is sent as HTTP/1.0, so a body of unknown length is not chunked but ends with the connection).
/// - HTTP/1.1 with `Connection: close` in any spelling (`Close`, `TE, close`): closed after the
///   answer. Hummingbird alone only notices the exact value `close`.
final class KeepAliveHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Per request read and not yet answered, in order: the version to answer with and whether to
    /// close after the answer.
    private var pending: [(version: HTTPVersion, close: Bool)] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let isHTTP10 = head.version.major == 1 && head.version.minor == 0
        let close = isHTTP10 || !head.isKeepAlive
        if close { head.headers.replaceOrAdd(name: "connection", value: "close") }
        pending.append((isHTTP10 ? .http1_0 : .http1_1, close))
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status.code >= 200, !pending.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        let request = pending.removeFirst()
        head.version = request.version
        if request.close { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}
