import Logging
import NIOCore
import NIOHTTP1

/// Closes connections whose client stalls, where Hummingbird's idle timeout does not reach:
///
/// - the request head: once the first byte of a request has arrived, the whole head (request line
///   and headers) must follow within the header timeout; otherwise the client gets a 408 and the
///   connection is closed. Bytes that do not make a head yet are seen as a read that decoded
///   nothing (`channelReadComplete` without a `.head`).
/// - the answer: a connection that stays unwritable (the client reads nothing of the answer) for
///   the send timeout is closed; a slow reader that makes progress is left alone.
///
/// Silence between requests is Hummingbird's idle timeout (`HTTPConnectionStateHandler`).
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let headerTimeout: TimeAmount
    private let sendTimeout: TimeAmount
    private let logger: Logger
    /// Requests whose head was read and whose answer has not ended.
    private var open = 0
    private var headDeadline: Scheduled<Void>?
    private var sendDeadline: Scheduled<Void>?

    init(headerTimeout: Duration, sendTimeout: Duration, logger: Logger) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.sendTimeout = TimeAmount(sendTimeout)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            open += 1
            headDeadline?.cancel()
            headDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if open == 0, headDeadline == nil {
            // Bytes arrived and no head came of them: a request head has begun.
            headDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: headerTimeout) {
                self.headTimedOut(context)
            }
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { open = max(0, open - 1) }
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            sendDeadline?.cancel()
            sendDeadline = nil
        } else if sendDeadline == nil {
            sendDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: sendTimeout) {
                self.sendDeadline = nil
                self.logger.debug("closing a connection whose client read nothing of its answer", metadata: [
                    "remote": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")",
                ])
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadlines()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadlines()
    }

    private func headTimedOut(_ context: ChannelHandlerContext) {
        headDeadline = nil
        guard open == 0, context.channel.isActive else { return }
        logger.debug("closing a connection whose request head did not complete in time", metadata: [
            "remote": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")",
        ])
        let body = #"{"error":"request head not complete within the header timeout (http.header_timeout)"}"#
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: "\(body.utf8.count)")
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .requestTimeout, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    private func cancelDeadlines() {
        headDeadline?.cancel()
        headDeadline = nil
        sendDeadline?.cancel()
        sendDeadline = nil
    }
}
