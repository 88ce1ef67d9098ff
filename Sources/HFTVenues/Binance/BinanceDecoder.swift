/// Frame bytes → `BinanceInbound`, zero-copy over the frame with `JSONValue`. One pass collects
/// the envelope and the market-event members together (so a raw `depthUpdate` is walked once
/// before its levels are read), then the frame is told apart by what it carries:
/// `status` → WS API reply; `stream`+`data` → combined stream; `event` → user data (or the
/// WS API `serverShutdown`); `e` → raw stream event; `id` with `result`/`error` → stream control
/// reply; `lastUpdateId` → partial depth; `u`,`s`,`b`,`a` → bookTicker.
import HFTCore

public enum BinanceDecoder {
    public static func decode(_ frame: UnsafeRawBufferPointer, timeUnit: BinanceTimeUnit = .milliseconds) throws(BinanceDecodeError) -> BinanceInbound {
        let root: JSONValue
        do throws(JSONError) { root = try JSONValue.root(frame) } catch { throw .malformedJSON(error) }
        guard root.kind == .object else { throw .notAnObject }
        var f = Fields()
        try BinanceFields.members(root, "frame") { name, v in f.collect(name, v) }

        if let status = f.status { return .response(try response(status, f, timeUnit)) }
        if let data = f.data {
            let stream = try BinanceFields.optionalString(f.stream, "stream")
            var inner = Fields()
            try BinanceFields.members(data, "data") { name, v in inner.collect(name, v) }
            if inner.e?.stringEquals("serverShutdown") == true {
                return .serverShutdown(eventTime: try BinanceFields.time(inner.E, "E", timeUnit))
            }
            return .market(try market(inner, timeUnit), stream: stream)
        }
        if let event = f.event {
            let sub = try BinanceFields.optionalInt64(f.subscriptionID, "subscriptionId")
            return try userData(event, subscriptionID: sub, timeUnit)
        }
        if f.e?.stringEquals("serverShutdown") == true {
            return .serverShutdown(eventTime: try BinanceFields.time(f.E, "E", timeUnit))
        }
        if f.e != nil || f.lastUpdateID != nil || (f.u != nil && f.s != nil) {
            return .market(try market(f, timeUnit), stream: nil)
        }
        if f.id != nil, f.result != nil || f.error != nil { return .streamReply(try streamReply(f, timeUnit)) }
        throw .unknownMessage
    }

    public static func decode(_ frame: [UInt8], timeUnit: BinanceTimeUnit = .milliseconds) throws(BinanceDecodeError) -> BinanceInbound {
        let r: Result<BinanceInbound, BinanceDecodeError> = frame.withUnsafeBytes { raw in
            do throws(BinanceDecodeError) { return .success(try decode(raw, timeUnit: timeUnit)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func decode(_ frame: String, timeUnit: BinanceTimeUnit = .milliseconds) throws(BinanceDecodeError) -> BinanceInbound {
        try decode(Array(frame.utf8), timeUnit: timeUnit)
    }

    /// The request id of a reply (a top-level numeric `id`), for the transport's request
    /// tracker; nil for pushes and for `"id":null`.
    public static func responseID(_ frame: UnsafeRawBufferPointer) -> RequestID? {
        guard let root = try? JSONValue.root(frame), root.kind == .object else { return nil }
        var id: JSONValue?
        try? root.forEachMember { name, v in
            if name.binanceIs("id") { id = v; return false }
            return true
        }
        guard let id, id.kind == .number || id.kind == .string else { return nil }
        return id.int64
    }

    /// Top-level (or `data`) members of any Binance frame.
    struct Fields {
        // Envelope.
        var id, status, result, error, rateLimits, stream, data, subscriptionID, event: JSONValue?
        // Market events (names are shared across event types, with different meanings).
        var e, E, s, U, u, b, a, B, A, t, p, q, T, m, f, l, lastUpdateID, bids, asks: JSONValue?

        mutating func collect(_ n: UnsafeRawBufferPointer, _ v: JSONValue) {
            switch n.count {
            case 1:
                switch n[0] {
                case UInt8(ascii: "e"): e = v
                case UInt8(ascii: "E"): E = v
                case UInt8(ascii: "s"): s = v
                case UInt8(ascii: "U"): U = v
                case UInt8(ascii: "u"): u = v
                case UInt8(ascii: "b"): b = v
                case UInt8(ascii: "a"): a = v
                case UInt8(ascii: "B"): B = v
                case UInt8(ascii: "A"): A = v
                case UInt8(ascii: "t"): t = v
                case UInt8(ascii: "p"): p = v
                case UInt8(ascii: "q"): q = v
                case UInt8(ascii: "T"): T = v
                case UInt8(ascii: "m"): m = v
                case UInt8(ascii: "f"): f = v
                case UInt8(ascii: "l"): l = v
                default: break
                }
            default:
                if n.binanceIs("id") { id = v }
                else if n.binanceIs("status") { status = v }
                else if n.binanceIs("result") { result = v }
                else if n.binanceIs("error") { error = v }
                else if n.binanceIs("rateLimits") { rateLimits = v }
                else if n.binanceIs("stream") { stream = v }
                else if n.binanceIs("data") { data = v }
                else if n.binanceIs("subscriptionId") { subscriptionID = v }
                else if n.binanceIs("event") { event = v }
                else if n.binanceIs("lastUpdateId") { lastUpdateID = v }
                else if n.binanceIs("bids") { bids = v }
                else if n.binanceIs("asks") { asks = v }
            }
        }
    }

    // MARK: Stream control replies

    static func streamReply(_ f: Fields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceStreamReply {
        var reply = BinanceStreamReply(id: try BinanceMessageID.read(f.id))
        if let error = f.error, !error.isNull {
            reply.error = try apiError(error, unit)
        }
        if let result = f.result, !result.isNull {
            if result.kind == .array {
                var streams: [String] = []
                try BinanceFields.elements(result, "result") { (e) throws(BinanceDecodeError) in
                    streams.append(try BinanceFields.string(e, "result"))
                }
                reply.streams = streams
            } else {
                reply.value = result.text ?? BinanceFields.rawText(result)
            }
        }
        return reply
    }
}
