import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel (`HTTP1Channel`) with what a daemon facing any client needs
/// around it: a limit on open connections, a header timeout and a send timeout, and HTTP/1.0 and
/// `Connection: close` requests answered and then closed. The pipeline is HTTP1Channel's, with
/// two handlers of ours between the HTTP/1 decoder and the conversion to HTTP types (which
/// forgets the request's version):
///
/// ```
/// [RefusedConnectionHandler, only beyond the limit]
/// HTTPResponseEncoder, HTTPRequestDecoder        (NIOHTTP1)
/// KeepAliveHandler, RequestTimeoutHandler        (ours)
/// HTTP1ToHTTPServerCodec                         (HTTP types)
/// HTTPConnectionStateHandler                     (Hummingbird: idle timeout, graceful shutdown)
/// NIOAsyncChannel                                (Hummingbird's request loop)
/// ```
struct GuardedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let configuration: HTTPServerConfiguration
    let limiter: ConnectionLimiter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = limiter.admit()
        if admitted {
            let limiter = self.limiter
            channel.closeFuture.whenComplete { _ in limiter.release() }
        }
        return channel.eventLoop.makeCompletedFuture {
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldCount = 1000  // Hummingbird's default (NIO allows 65,534)
            let pipeline = channel.pipeline.syncOperations
            if !admitted { try pipeline.addHandler(RefusedConnectionHandler()) }
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // Hummingbird's request loop answers in order
                withErrorHandling: false,  // Hummingbird answers parse errors
                withOutboundHeaderValidation: false,  // HTTP types validate headers already
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try pipeline.addHandler(KeepAliveHandler())
            try pipeline.addHandler(RequestTimeoutHandler(
                headerTimeout: configuration.headerTimeout, sendTimeout: configuration.idleTimeout, logger: logger))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: configuration.idleTimeout, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
