/// The `status` and `errors` streams of one `BGEWsAPI`: connection events, BGE error replies
/// (its own code and text) and undecodable frames.
import HFTCore

typealias BGEReporter = VenueReporter<BGESymbols>

extension BGESymbols: VenueSymbolSpelling {
    static var venue: Venue { .bge }
}

extension BGEError: VenueCodedError {}
