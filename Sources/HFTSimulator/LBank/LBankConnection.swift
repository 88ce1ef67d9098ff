/// The thread-safe handle of one LBank WebSocket connection (see `SimEventInbox`).
typealias LBankConnection = SimEventInbox<LBankSession>

extension LBankSession: SimFrontEndSession, SimWireSession {}
