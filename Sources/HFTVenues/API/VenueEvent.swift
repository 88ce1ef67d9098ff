import HFTCore

/// Connection and data-state changes a venue API reports beside its data.
public struct VenueStatus: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case connected, authenticated, subscribed
        case bookInvalid = "book_invalid"
        case bookResynced = "book_resynced"
        case reconnecting, disconnected
        case rateLimited = "rate_limited"
        case keyRefreshed = "key_refreshed"
        case malformed
    }

    public var venue: Venue
    public var event: Event
    public var symbol: Symbol?
    public var detail: String

    public init(venue: Venue, event: Event, symbol: Symbol? = nil, detail: String = "") {
        self.venue = venue
        self.event = event
        self.symbol = symbol
        self.detail = detail
    }
}

/// An error reply the venue pushed (its own code and text); the stream goes on where the venue allows.
public struct VenueErrorReply: Sendable, Hashable {
    public var venue: Venue
    public var code: String
    public var message: String
    public init(venue: Venue, code: String, message: String) {
        self.venue = venue
        self.code = code
        self.message = message
    }
}

/// One applied book message: the book after it, and whether it was a snapshot.
public struct BookUpdate: Sendable {
    public var book: OrderBook
    public var isSnapshot: Bool
    public init(book: OrderBook, isSnapshot: Bool) {
        self.book = book
        self.isSnapshot = isSnapshot
    }
}

/// Private order-flow pushes: order state changes and fills.
public enum OrderEvent: Sendable, Hashable {
    case order(Order)
    case fill(Fill)
}
