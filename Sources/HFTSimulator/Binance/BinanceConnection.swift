/// The thread-safe handle of one Binance WebSocket connection (see `SimEventInbox`).
typealias BinanceConnection = SimEventInbox<BinanceSocket>

extension BinanceSocket: SimFrontEndSession, SimWireSession {}
