import HFTCore
@testable import HFTVenues
import Logging
import Synchronization
import Testing

@Suite("hftpy's default callback")
struct DefaultCallbackTests {
    final class Capture: Sendable {
        let entries = Mutex<[(Logger.Level, String)]>([])
    }

    struct CapturingHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.entries.withLock { $0.append((event.level, event.message.description)) }
        }
    }

    @Test("logs request id, method, latency, request and response; failures at warning")
    func logsLikeHftpy() {
        let capture = Capture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: capture) }
        let callback = DefaultOrderCallback.logging(to: logger)
        callback(OrderResult(venue: .kraken, requestID: 42, method: "add_order", request: #"{"order_qty":"0.0100"}"#,
                             response: #"{"success":true}"#, latencyMicros: 812, ok: true))
        callback(OrderResult(venue: .kraken, requestID: 43, method: "cancel_order", request: "{}", response: nil, latencyMicros: 0,
                             ok: false, error: .noAnswer(requestID: 43, timeoutMicros: 10_000_000)))
        let entries = capture.entries.withLock { $0 }
        #expect(entries.count == 2)
        #expect(entries[0].0 == .info)
        #expect(entries[0].1 == """
            WebSocket Request - ID: 42 | Method: add_order | Latency: 812μs
            Request Params: {"order_qty":"0.0100"}
            Response Data: {"success":true}
            """)
        #expect(entries[1].0 == .warning)
        #expect(entries[1].1.contains("ID: 43 | Method: cancel_order") && entries[1].1.contains("Response Data: request 43: no answer within 10000 ms"))
    }
}
