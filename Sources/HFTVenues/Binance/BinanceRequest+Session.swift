/// Session and connectivity requests (binance.md §2, §6, §10): `ping`, `time`, `depth`,
/// `session.logon` (Ed25519 only), `session.status`, `session.logout`.
import HFTCore

extension BinanceRequest {
    /// `{"id":N,"method":"ping"}` → `result` `{}`.
    public static func ping(id: RequestID) -> BinanceRequest {
        BinanceRequest(id: id, method: .ping)
    }

    /// `{"id":N,"method":"time"}` → `result.serverTime`.
    public static func time(id: RequestID) -> BinanceRequest {
        BinanceRequest(id: id, method: .time)
    }

    /// Order-book snapshot over the WS API (`result` = `{lastUpdateId,bids,asks}`); weight as REST.
    public static func depth(id: RequestID, symbol: String, limit: Int = 5000) throws(HFTError) -> BinanceRequest {
        try requireSymbol(symbol)
        let weight = try BinanceREST.depthWeight(limit: limit)
        return BinanceRequest(id: id, method: .depth,
                              params: BinanceParams([("symbol", .string(symbol)), ("limit", .int(Int64(limit)))]), weight: weight)
    }

    /// Logs the connection on with an Ed25519 key: `apiKey`, `signature` over the sorted
    /// `apiKey=…&timestamp=…` (+`recvWindow`), `timestamp`. HMAC keys are refused locally
    /// (Binance rejects them in practice, binance.md §6).
    public static func sessionLogon(id: RequestID, credentials: BinanceCredentials, timestamp: Int64,
                                    recvWindow: FixedDecimal? = nil) throws(HFTError) -> BinanceRequest {
        guard credentials.canLogOn else {
            throw .unsupported("Binance session.logon needs an Ed25519 key; with HMAC keys sign each request")
        }
        try BinanceAuth.checkRecvWindow(recvWindow)
        var p = BinanceParams()
        p.set("apiKey", .string(credentials.apiKey.reveal()))
        p.set("recvWindow", recvWindow.map(BinanceAuth.recvWindowValue))
        p.set("timestamp", .int(timestamp))
        let signature = try credentials.signer.sign(p.signaturePayload)
        // The notes' example order: apiKey, signature, timestamp.
        var ordered = BinanceParams()
        ordered.set("apiKey", .string(credentials.apiKey.reveal()))
        ordered.set("signature", .string(signature))
        if let w = p["recvWindow"] { ordered.set("recvWindow", w) }
        ordered.set("timestamp", .int(timestamp))
        return BinanceRequest(id: id, method: .sessionLogon, params: ordered)
    }

    public static func sessionStatus(id: RequestID) -> BinanceRequest {
        BinanceRequest(id: id, method: .sessionStatus)
    }

    /// Clears the session key (keeps the socket) and ends the logon-based user-data subscription.
    public static func sessionLogout(id: RequestID) -> BinanceRequest {
        BinanceRequest(id: id, method: .sessionLogout)
    }

    /// API symbols are upper-case (`BTCUSDT`); non-ASCII names exist and pass as UTF-8.
    static func requireSymbol(_ symbol: String) throws(HFTError) {
        let bad = symbol.utf8.contains { (97...122).contains($0) || $0 <= 0x20 || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\"") }
        guard !symbol.isEmpty, !bad else {
            throw .invalidArgument("Binance symbol '\(symbol)': expected the upper-case API spelling (BTCUSDT)")
        }
    }
}
