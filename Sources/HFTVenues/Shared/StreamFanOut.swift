/// Pushing values to every subscriber stream of a kind (orders, balances, positions).
import HFTCore

extension Array {
    /// Pushes each of `values` to every stream, in order; streams found finished are dropped.
    mutating func fanOut<T: Sendable>(_ values: [T]) where Element == EventStream<T> {
        guard !values.isEmpty else { return }
        var finished = false
        for s in self { for v in values where !s.push(v) { finished = true } }
        if finished { removeAll { $0.isFinished } }
    }
}
