import HFTCore

/// What `hft venues --json` lists for a venue: endpoints with default URLs, knobs, channels.
public struct VenueDescriptor: Sendable {
    public var venue: Venue
    /// Endpoint name → default URL, in a stable order.
    public var endpoints: [(name: String, url: String)]
    public var knobs: [VenueKnob]
    public var channels: [String]
    /// True when orders go over the venue's WebSocket; false when over its signed REST API.
    public var websocketOrderEntry: Bool

    public init(venue: Venue, endpoints: [(name: String, url: String)], knobs: [VenueKnob], channels: [String], websocketOrderEntry: Bool) {
        self.venue = venue
        self.endpoints = endpoints
        self.knobs = knobs
        self.channels = channels
        self.websocketOrderEntry = websocketOrderEntry
    }

    public func defaultURL(_ name: String) -> String? { endpoints.first { $0.name == name }?.url }

    /// Endpoints with overrides applied; an unknown name is a configuration error.
    public func resolveEndpoints(_ overrides: [String: String]) throws(HFTError) -> [String: String] {
        var out: [String: String] = [:]
        for e in endpoints { out[e.name] = e.url }
        for (name, url) in overrides {
            guard out[name] != nil else {
                throw .configuration("\(venue) has no endpoint '\(name)'; known: \(endpoints.map(\.name).joined(separator: ", "))")
            }
            out[name] = url
        }
        return out
    }

    public var json: JSONText {
        .object([
            ("venue", .string(venue.rawValue)),
            ("endpoints", .object(endpoints.map { ($0.name, .string($0.url)) })),
            ("options", .object(knobs.map { ($0.name, $0.defaultJSON) })),
            ("channels", .array(channels.map { .string($0) })),
            ("order_entry", .string(websocketOrderEntry ? "websocket" : "rest")),
        ])
    }
}
