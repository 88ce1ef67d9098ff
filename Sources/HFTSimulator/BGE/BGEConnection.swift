/// The thread-safe handle of one BGE WebSocket connection (see `SimEventInbox`).
typealias BGEConnection = SimEventInbox<BGESession>

extension BGESession: SimFrontEndSession, SimWireSession {}
