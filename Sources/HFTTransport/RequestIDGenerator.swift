import HFTCore
import Synchronization

/// Process-wide source of request ids: unique and strictly increasing across every connection.
public enum RequestIDGenerator {
    private static let counter = Atomic<Int64>(0)

    /// The next id (starts at 1).
    @inline(__always)
    public static func next() -> RequestID {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
