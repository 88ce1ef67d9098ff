/// How a SIGNED request proves who sends it (binance.md §5, §6): signed on its own (`apiKey`,
/// `timestamp`, optional `recvWindow`, `signature` over the sorted params), or riding on a
/// logged-on session (only `timestamp` and `recvWindow`).
import HFTCore

public struct BinanceAuth: Sendable {
    public enum Mode: Sendable {
        /// The connection is logged on (`session.logon`): no `apiKey`/`signature`.
        case session
        /// Sign this request with these credentials (any key type).
        case signed(BinanceCredentials)
    }

    public var mode: Mode
    /// In the connection's time unit (ms unless `timeUnit=MICROSECOND`).
    public var timestamp: Int64
    /// At most 60000 ms, up to 3 decimals; nil leaves the server default (5000 ms).
    public var recvWindow: FixedDecimal?

    public init(_ mode: Mode, timestamp: Int64, recvWindow: FixedDecimal? = nil) {
        self.mode = mode
        self.timestamp = timestamp
        self.recvWindow = recvWindow
    }

    public static func session(timestamp: Int64, recvWindow: FixedDecimal? = nil) -> BinanceAuth {
        BinanceAuth(.session, timestamp: timestamp, recvWindow: recvWindow)
    }

    public static func signed(_ credentials: BinanceCredentials, timestamp: Int64, recvWindow: FixedDecimal? = nil) -> BinanceAuth {
        BinanceAuth(.signed(credentials), timestamp: timestamp, recvWindow: recvWindow)
    }

    /// Appends `recvWindow`, `apiKey`, `timestamp` and `signature` as the mode needs.
    public func apply(to params: inout BinanceParams) throws(HFTError) {
        try Self.checkRecvWindow(recvWindow)
        params.set("recvWindow", recvWindow.map(Self.recvWindowValue))
        switch mode {
        case .session:
            params.set("timestamp", .int(timestamp))
        case .signed(let credentials):
            params.set("apiKey", .string(credentials.apiKey.reveal()))
            params.set("timestamp", .int(timestamp))
            params.set("signature", .string(try credentials.signer.sign(params.signaturePayload)))
        }
    }

    /// Whole milliseconds go as a JSON number, fractional ones as an exact decimal string.
    static func recvWindowValue(_ w: FixedDecimal) -> BinanceParamValue {
        let n = w.normalized
        return n.scale == 0 ? .int(Int64(n.mantissa)) : .decimal(w)
    }

    static func checkRecvWindow(_ w: FixedDecimal?) throws(HFTError) {
        guard let w else { return }
        guard w > .zero, w <= FixedDecimal(60_000), w.normalized.scale <= 3 else {
            throw .invalidArgument("Binance recvWindow \(w): must be in (0, 60000] ms with at most 3 decimals")
        }
    }
}
