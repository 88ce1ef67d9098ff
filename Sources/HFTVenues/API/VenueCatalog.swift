import HFTCore

/// The descriptors of every venue implemented in this build, in `Venue.allCases` order.
public enum VenueCatalog {
    public static var descriptors: [VenueDescriptor] {
        Venue.allCases.compactMap { descriptor(for: $0) }
    }

    public static func descriptor(for venue: Venue) -> VenueDescriptor? {
        builtIn.first { $0.venue == venue }
    }

    static var builtIn: [VenueDescriptor] { [KrakenDescriptor.descriptor, BinanceDescriptor.descriptor, DigiFinexDescriptor.descriptor, LBankDescriptor.descriptor, BGEDescriptor.descriptor, FMexDescriptor.descriptor] }
}
