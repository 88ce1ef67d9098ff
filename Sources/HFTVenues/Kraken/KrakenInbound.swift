/// Everything a Kraken v2 socket can send, as one typed value (produced by `KrakenDecoder`).
import HFTCore

public enum KrakenInbound: Sendable, Hashable {
    /// A reply to a request, `pong` included; route it by `reqID`.
    case response(KrakenResponse)
    /// Engine status, pushed on connect and on change.
    case status(KrakenStatusMessage)
    case heartbeat
    case book(KrakenBookMessage)
    case trade(KrakenTradeMessage)
    case ticker(KrakenTickerMessage)
    case instrument(KrakenInstrumentMessage)
    case executions(KrakenExecutionsMessage)
    case balances(KrakenBalancesMessage)
    /// A bare error object with no method (`{"Error":"Exceeded msg rate"}`).
    case error(KrakenError)
}

/// `type` of a channel push.
public enum KrakenPushType: String, Sendable, Hashable {
    case snapshot, update
}
