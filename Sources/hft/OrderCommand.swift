import ArgumentParser
import HFTKit
import Synchronization

struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "Place, cancel or amend an order (or cancel all) and print the venue's response with its latency.",
        discussion: """
        ACTION: place --symbol S --side buy|sell --type limit|market --qty Q [--price P] [--post-only] [--tif gtc|ioc|fok] [--client-id ID]
                cancel --order-id ID [--order-id ID…] [--client-id ID…] [--symbol S]
                amend --order-id ID|--client-id ID [--qty Q] [--price P] [--symbol S]
                cancel-all [--symbol S]
        Prints exactly one `response` line. Exit 0 when the venue accepted, 1 when it refused or did not answer, 2 on usage errors.
        A rate-limit reply with a retry time is waited out and retried once.
        """
    )

    static let actions = ["place", "cancel", "amend", "cancel-all"]

    @Argument(help: "The venue.") var venue: String
    @Argument(help: "place, cancel, amend or cancel-all.") var action: String
    @Option(help: "Symbol, BASE/QUOTE or the venue's spelling.") var symbol: String?
    @Option(help: "buy or sell.") var side: String?
    @Option(help: "limit or market.") var type: String = "limit"
    @Option(help: "Quantity, exact decimal.") var qty: String?
    @Option(help: "Limit price, exact decimal.") var price: String?
    @Flag(help: "Post-only (maker only).") var postOnly = false
    @Option(help: "gtc, ioc or fok.") var tif: String = "gtc"
    @Option(name: .customLong("client-id"), help: "Client order id (place: the new order's; cancel/amend: which order, repeatable for cancel).")
    var clientIDs: [String] = []
    @Option(name: .customLong("order-id"), help: "Venue order id (repeatable for cancel).") var orderIDs: [String] = []
    @Option(help: "Bound on the whole command, seconds.") var timeout: Double = 30
    @OptionGroup var connection: VenueConnectionOptions

    func validate() throws {
        _ = try request(try CLISymbol.venue(venue))
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    enum Request {
        case place(PlaceOrder), cancel(CancelOrder), amend(AmendOrder), cancelAll(Symbol?)
    }

    func request(_ venue: Venue) throws -> Request {
        guard Self.actions.contains(action) else { throw ValidationError("unknown action '\(action)'; known: \(Self.actions.joined(separator: ", "))") }
        let symbol = try self.symbol.map { try CLISymbol.parse($0, venue: venue) }
        let quantity = try qty.map { try Self.decimal($0, "--qty") }
        let price = try self.price.map { try Self.decimal($0, "--price") }
        do {
            switch action {
            case "place":
                guard let symbol else { throw ValidationError("place needs --symbol") }
                guard let sideText = side, let side = Side(rawValue: sideText.lowercased()) else { throw ValidationError("place needs --side buy|sell") }
                guard let type = OrderType(rawValue: type.lowercased()) else { throw ValidationError("--type is limit or market") }
                guard let tif = TimeInForce(rawValue: tif.lowercased()) else { throw ValidationError("--tif is gtc, ioc or fok") }
                guard let quantity else { throw ValidationError("place needs --qty") }
                guard clientIDs.count <= 1, orderIDs.isEmpty else { throw ValidationError("place takes at most one --client-id and no --order-id") }
                let order = PlaceOrder(symbol: symbol, side: side, type: type, quantity: quantity, price: price, timeInForce: tif,
                                       postOnly: postOnly, clientOrderID: clientIDs.first)
                try order.validate()
                return .place(order)
            case "cancel":
                let cancel = CancelOrder(orderIDs: orderIDs, clientOrderIDs: clientIDs, symbol: symbol)
                try cancel.validate()
                return .cancel(cancel)
            case "amend":
                guard orderIDs.count + clientIDs.count == 1 else { throw ValidationError("amend names one order: --order-id or --client-id") }
                let amend = AmendOrder(orderID: orderIDs.first, clientOrderID: clientIDs.first, symbol: symbol, quantity: quantity, price: price)
                try amend.validate()
                return .amend(amend)
            default:
                return .cancelAll(symbol)
            }
        } catch let e as HFTError {
            throw ValidationError("\(e)")
        }
    }

    static func decimal(_ text: String, _ flag: String) throws -> FixedDecimal {
        guard let d = FixedDecimal(text) else { throw ValidationError("\(flag) '\(text)' is not a decimal number") }
        return d
    }

    func run() async throws {
        let venue = try CLISymbol.venue(venue)
        let request = try request(venue)
        let (settings, sim) = try await cliStep { try await connection.settings(for: venue) }
        let api: any ExchangeWsAPI
        do { api = try Exchanges.shared.createWsAPI(settings) } catch {
            await sim?.shutdown()
            throw fail(CLIFailure.from(error))
        }
        let requestID = api.nextRequestID()
        let timeout = self.timeout
        let outcome = await Race.first(within: .milliseconds(Int64(timeout * 1000))) {
            await Self.execute(request, on: api, requestID: requestID)
        }
        let result = outcome ?? OrderResult(venue: venue, requestID: requestID, method: action, request: "", response: nil, latencyMicros: 0,
                                            ok: false, error: .noAnswer(requestID: requestID, timeoutMicros: UInt64(timeout * 1_000_000)))
        print(EventLines.response(result).rendered)
        Output.flush()
        await api.stop()
        await sim?.shutdown()
        if !result.ok { throw ExitCode(1) }
    }

    /// Connects, sends, and on a rate-limit reply with a retry time waits it out and retries once.
    static func execute(_ request: Request, on api: any ExchangeWsAPI, requestID: RequestID) async -> OrderResult {
        do { try await api.start() } catch {
            return OrderResult(venue: api.venue, requestID: requestID, method: "start", request: "", response: nil, latencyMicros: 0,
                               ok: false, error: (error as? HFTError) ?? .connectFailed("\(error)"))
        }
        var result = await send(request, on: api, requestID: requestID)
        if !result.ok, case .rateLimited(let wait?) = result.error {
            Output.human(EventLines.status(VenueStatus(venue: api.venue, event: .rateLimited, detail: "retrying once in \(wait) µs")).rendered)
            try? await Task.sleep(for: .microseconds(Int64(clamping: wait)))
            result = await send(request, on: api, requestID: api.nextRequestID())
        }
        return result
    }

    static func send(_ request: Request, on api: any ExchangeWsAPI, requestID: RequestID) async -> OrderResult {
        switch request {
        case .place(var o):
            o.requestID = requestID
            return await api.placeOrder(o)
        case .cancel(var c):
            c.requestID = requestID
            return await api.cancelOrder(c)
        case .amend(var a):
            a.requestID = requestID
            return await api.amendOrder(a)
        case .cancelAll(let symbol):
            return await api.cancelAllOrders(symbol: symbol)
        }
    }
}

/// The body's value, or nil when `within` passes first (the body keeps running, unobserved).
enum Race {
    static func first<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            let once = ResumeOnce(c)
            Task { once.resume(await body()) }
            Task { try? await Task.sleep(for: limit); once.resume(nil) }
        }
    }
}

final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>
    init(_ c: CheckedContinuation<T?, Never>) { continuation = Mutex(c) }
    func resume(_ value: T?) {
        continuation.withLock { c in c?.resume(returning: value); c = nil }
    }
}
