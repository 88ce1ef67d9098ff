/// The thread-safe handle of one Kraken WebSocket connection (see `SimEventInbox`).
typealias KrakenConnection = SimEventInbox<KrakenSession>

extension KrakenSession: SimFrontEndSession, SimWireSession {}
