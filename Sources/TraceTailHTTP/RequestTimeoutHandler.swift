import Logging
import NIOCore
import NIOHTTP1

/// Closes connections whose client stalls, where Hummingbird's idle timeout does not reach:
///
/// - the request: once the first byte of a request has arrived, the whole request must follow
///   within the header timeout: its head (request line and headers), and its body if it has one.
///   If the head is not complete by then, the client gets a 408 and the connection is closed; if
///   only the body is missing (an answer may have begun), the connection is closed. Bytes that
///   do not make a head yet are seen as a read that decoded nothing (`channelReadComplete`
///   without a `.head`). Hummingbird's idle timeout alone would wait forever for a head sent a
///   byte at a time, or for a body trickling in (each part counts as activity).
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
    /// A request is arriving: some of it was read, its end not yet.
    private var receiving = false
    /// The head of the request arriving was read.
    private var headRead = false
    private var receiveDeadline: Scheduled<Void>?
    private var sendDeadline: Scheduled<Void>?

    init(headerTimeout: Duration, sendTimeout: Duration, logger: Logger) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.sendTimeout = TimeAmount(sendTimeout)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            open += 1
            receiving = true
            headRead = true
        case .body:
            break
        case .end:
            receiving = false
            headRead = false
            receiveDeadline?.cancel()
            receiveDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes arrived and no head came of them: a request has begun. (With an answer under way,
        // what arrives is the next request, pipelined; the idle timeout covers it.)
        if open == 0 { receiving = true }
        // A whole request in one read leaves nothing to wait for, and no timer is set.
        if receiving, receiveDeadline == nil {
            receiveDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: headerTimeout) {
                self.receiveTimedOut(context)
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

    private func receiveTimedOut(_ context: ChannelHandlerContext) {
        receiveDeadline = nil
        guard receiving, context.channel.isActive else { return }
        let remote = context.channel.remoteAddress.map { "\($0)" } ?? "?"
        if headRead {
            logger.debug("closing a connection whose request body did not complete in time", metadata: ["remote": "\(remote)"])
            context.close(promise: nil)
            return
        }
        logger.debug("closing a connection whose request head did not complete in time", metadata: ["remote": "\(remote)"])
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
        receiveDeadline?.cancel()
        receiveDeadline = nil
        sendDeadline?.cancel()
        sendDeadline = nil
    }
}
