/// User-data subscription requests (binance.md §8; the listenKey flow is retired):
/// `userDataStream.subscribe` (logged-on Ed25519 session), `userDataStream.subscribe.signature`
/// (any key type, signed on its own), `userDataStream.unsubscribe`, `session.subscriptions`.
import HFTCore

extension BinanceRequest {
    /// Subscribes the logged-on account: `{"id":N,"method":"userDataStream.subscribe"}`.
    public static func userDataStreamSubscribe(id: RequestID) -> BinanceRequest {
        BinanceRequest(id: id, method: .userDataStreamSubscribe)
    }

    /// Subscribes `credentials`' account on any session: `apiKey`, `timestamp`, `signature`
    /// over the sorted `apiKey=…&timestamp=…` (+`recvWindow`).
    public static func userDataStreamSubscribeSignature(id: RequestID, credentials: BinanceCredentials, timestamp: Int64,
                                                        recvWindow: FixedDecimal? = nil) throws(HFTError) -> BinanceRequest {
        try BinanceRequest(id: id, method: .userDataStreamSubscribeSignature, params: BinanceParams(),
                           auth: .signed(credentials, timestamp: timestamp, recvWindow: recvWindow))
    }

    /// Ends one subscription, or all of this session's when `subscriptionID` is nil.
    public static func userDataStreamUnsubscribe(id: RequestID, subscriptionID: Int64? = nil) -> BinanceRequest {
        var p = BinanceParams()
        p.set("subscriptionId", subscriptionID.map { .int($0) })
        return BinanceRequest(id: id, method: .userDataStreamUnsubscribe, params: p)
    }

    /// Lists this session's active subscriptions.
    public static func sessionSubscriptions(id: RequestID) -> BinanceRequest {
        BinanceRequest(id: id, method: .sessionSubscriptions)
    }
}
