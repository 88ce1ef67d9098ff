/// The thread-safe handle of one DigiFinex WebSocket connection (see `SimEventInbox`).
typealias DigiFinexConnection = SimEventInbox<DigiFinexSession>

extension DigiFinexSession: SimFrontEndSession, SimWireSession {}
