/// One line per venue in `register(into:)`: its REST and WebSocket factories, the WebSocket API
/// built over the process's REST API of that venue when there is one.
import HFTCore

protocol VenueRESTFactory: ExchangeRestAPI {
    init(settings: VenueAPISettings) throws(HFTError)
}

protocol VenueWsFactory: ExchangeWsAPI {
    associatedtype REST: VenueRESTFactory
    init(settings: VenueAPISettings, rest: REST?) throws(HFTError)
}

extension VenueFactories {
    /// Adds `venue`'s factories; its WebSocket API needs the REST API (tokens, keys or order entry).
    mutating func add<W: VenueWsFactory>(_ venue: Venue, _ ws: W.Type) {
        rest[venue] = { settings in try W.REST(settings: settings) }
        self.ws[venue] = { settings, rest in try W(settings: settings, rest: rest as? W.REST) }
        wsNeedsRest.insert(venue)
    }
}
