/// The thread-safe handle of one FMex WebSocket connection (see `SimEventInbox`).
typealias FMexConnection = SimEventInbox<FMexSession>

extension FMexSession: SimFrontEndSession, SimWireSession {}
