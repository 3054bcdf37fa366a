import NIOCore

/// First in the pipeline of a connection beyond the limit: answers 503 before any request is read
/// and closes, so the descriptor is given back at once. Whatever the client sent is dropped. A
/// client whose request was already on its way may see a reset instead of the 503; either way it
/// is not left waiting.
final class RefusedConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let answer: String = {
        let body = #"{"error":"too many open connections; try again later"}"#
        return "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n"
            + "content-length: \(body.utf8.count)\r\nretry-after: 1\r\nconnection: close\r\n\r\n" + body
    }()

    private var answered = false

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        // The rest of the pipeline sees the connection become active, then inactive.
        context.fireChannelActive()
        refuse(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Dropped: no request of a refused connection reaches the HTTP decoder.
    }

    private func refuse(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let buffer = context.channel.allocator.buffer(string: Self.answer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.close(promise: nil)
    }
}
