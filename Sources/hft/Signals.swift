import Dispatch
@preconcurrency import Glibc

/// Waits for SIGINT or SIGTERM (the default handlers are replaced, so the process can shut down cleanly).
enum Signals {
    static func waitForTermination() async -> Int32 {
        await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let queue = DispatchQueue(label: "hft.signals")
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler {
                    if once.claim() { c.resume(returning: sig) }
                }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }
}

import Synchronization

/// True exactly once.
final class OnceFlag: Sendable {
    private let done = Atomic(false)
    func claim() -> Bool { done.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var retained: [DispatchSourceSignal] = []
    private static let lock = Mutex(())
    static func keep(_ s: [DispatchSourceSignal]) { lock.withLock { _ in retained.append(contentsOf: s) } }
}
