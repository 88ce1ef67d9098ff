/// The order-entry plumbing of the venues that take orders over signed REST only (BGE, FMex,
/// DigiFinex): a request takes its limiter token in call order (`OrderedSender`), is signed, then
/// its HTTP exchange runs concurrently; the callback gets exactly one `OrderResult` whose
/// `request` is the signed payload, `response` the raw body and `latencyMicros` the exchange.
import HFTCore
import HFTTransport

/// A REST venue API orders go through: its process-wide limiter and an HTTP exchange that can
/// skip the limiter (the order entry's sender takes the token in call order first).
protocol OrderEntryRESTAPI: SigningRESTAPI {
    var limiter: RateLimiter { get }
    func perform(_ r: VenueHTTPRequest, limited: Bool) async throws(HFTError) -> RESTClient.Response
}

struct RESTOrderEntry: Sendable {
    typealias Perform = @Sendable (VenueHTTPRequest) async throws(HFTError) -> RESTClient.Response

    let venue: Venue
    let sender: OrderedSender
    let latency: LatencyBook
    /// The HTTP exchange without a limiter token (the sender took it).
    let perform: Perform
    /// Told of every `.rateLimited` answer (`method: error`).
    let onRateLimited: @Sendable (String) -> Void

    /// Orders through `rest`: tokens from its limiter in call order, then its exchange.
    init<R: OrderEntryRESTAPI>(venue: Venue, rest: R, latency: LatencyBook, onRateLimited: @escaping @Sendable (String) -> Void) {
        self.venue = venue
        self.sender = OrderedSender(limiter: rest.limiter)
        self.latency = latency
        self.perform = { r throws(HFTError) in try await rest.perform(r, limited: false) }
        self.onRateLimited = onRateLimited
    }

    func rejected(_ id: RequestID, _ method: String, _ error: HFTError, clientOrderID: String? = nil) -> OrderResult {
        OrderResult(venue: venue, requestID: id, method: method, request: "", response: nil, latencyMicros: 0,
                    ok: false, clientOrderID: clientOrderID, error: error)
    }

    /// Queues one REST order call: limiter token in call order, then `build` (signs with the
    /// current time), the HTTP exchange, `finish` (parses, may settle a lost reply), the callback.
    func submit(_ id: RequestID, _ method: String, clientOrderID: String?, callback: @escaping OrderCallback,
                build: @escaping @Sendable () throws(HFTError) -> VenueHTTPRequest,
                finish: @escaping @Sendable (OrderResult) async -> OrderResult) {
        sender.submit { [self] turn in
            if case .failure(let e) = turn {
                callback(rejected(id, method, e, clientOrderID: clientOrderID))
                return
            }
            let request: VenueHTTPRequest
            do throws(HFTError) { request = try build() } catch {
                callback(rejected(id, method, error, clientOrderID: clientOrderID))
                return
            }
            Task {
                var r = OrderResult(venue: venue, requestID: id, method: method, request: request.payload, response: nil,
                                    latencyMicros: 0, ok: false, clientOrderID: clientOrderID)
                do throws(HFTError) {
                    let response = try await perform(request)
                    r.response = response.bodyText
                    r.latencyMicros = max(1, response.latencyMicros)
                    latency.record(method, micros: r.latencyMicros)
                    r.ok = true
                } catch {
                    r.error = error
                    if case .rateLimited = error { onRateLimited("\(method): \(error)") }
                }
                callback(await finish(r))
            }
        }
    }

    /// Several REST calls for one request id, one after the other, taking one token each; one
    /// callback, ok when all succeeded, carrying the last reply and every payload (one a line).
    /// No targets: ok at once.
    func run<Target: Sendable>(_ id: RequestID, _ method: String, clientOrderID: String?, orderID: String?, targets: [Target],
                               callback: @escaping OrderCallback,
                               build: @escaping @Sendable (Target) throws(HFTError) -> VenueHTTPRequest) {
        guard !targets.isEmpty else {
            callback(OrderResult(venue: venue, requestID: id, method: method, request: "", response: nil, latencyMicros: 0, ok: true))
            return
        }
        sender.submit(cost: Double(targets.count)) { [self] turn in
            if case .failure(let e) = turn {
                callback(rejected(id, method, e, clientOrderID: clientOrderID))
                return
            }
            Task {
                var r = OrderResult(venue: venue, requestID: id, method: method, request: "", response: nil, latencyMicros: 0,
                                    ok: true, orderID: orderID, clientOrderID: clientOrderID)
                var requests: [String] = []
                for target in targets {
                    do throws(HFTError) {
                        let request = try build(target)
                        requests.append(request.payload)
                        let response = try await perform(request)
                        r.response = response.bodyText
                        r.latencyMicros += max(1, response.latencyMicros)
                        latency.record(method, micros: max(1, response.latencyMicros))
                    } catch {
                        r.ok = false
                        r.error = error
                        break
                    }
                }
                r.request = requests.joined(separator: "\n")
                callback(r)
            }
        }
    }

    /// Transport failures after which the venue may have acted (the reply was lost).
    static func isLost(_ e: HFTError) -> Bool {
        switch e {
        case .outcomeUnknown, .noAnswer: true
        default: false
        }
    }

    /// `body` with a deadline (`d`, or 10 s when not positive) for reconciling a lost reply.
    static func withDeadline<T: Sendable>(_ d: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = d > .zero ? d : .seconds(10)
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw HFTError.noAnswer(requestID: 0, timeoutMicros: UInt64(limit.components.seconds) * 1_000_000)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
