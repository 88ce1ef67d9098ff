import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The client upgrade with the engine's own frame reader: NIO's upgrader checks the handshake
/// (key, `Sec-WebSocket-Accept`); after it only NIO's frame encoder is installed, and inbound
/// bytes go straight to `WebSocketFrameHandler`, which reads frames in place (no per-frame
/// `WebSocketFrame` box, no type cast, one buffer slice per message). Public so that tools can
/// build the same pipeline (the transport bench's in-place discard consumer).
public final class EngineWebSocketUpgrader: NIOHTTPClientProtocolUpgrader, Sendable {
    public let supportedProtocol = "websocket"
    public let requiredUpgradeHeaders: [String] = []

    private let handshake: NIOWebSocketClientUpgrader
    private let upgradePipelineHandler: @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<Void>

    public init(upgradePipelineHandler: @escaping @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<Void>) {
        self.handshake = NIOWebSocketClientUpgrader(upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() })
        self.upgradePipelineHandler = upgradePipelineHandler
    }

    public func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
    }

    public func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    public func upgrade(context: ChannelHandlerContext, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<Void> {
        let channel = context.channel
        do {
            try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return upgradePipelineHandler(channel, upgradeResponse)
    }
}
