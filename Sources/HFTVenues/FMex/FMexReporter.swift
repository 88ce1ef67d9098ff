/// The `status` and `errors` streams of one `FMexWsAPI`: connection events of both sockets, FMex
/// error replies (its own code and text) and undecodable frames. Never carries a key or signature.
import HFTCore

typealias FMexReporter = VenueReporter<FMexSymbols>

extension FMexSymbols: VenueSymbolSpelling {
    static var venue: Venue { .fmex }
}

extension FMexError: VenueCodedError {}
