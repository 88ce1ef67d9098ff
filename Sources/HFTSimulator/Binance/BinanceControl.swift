import HFTCore

/// A market-stream control message (§9): `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`,
/// `SET_PROPERTY`, `GET_PROPERTY`, with the id echoed as its JSON text.
struct BinanceControl {
    enum Method { case subscribe, unsubscribe, list, setProperty, getProperty }

    /// A param value (strings and booleans are all the methods take).
    enum Param {
        case string(String)
        case bool(Bool)
        case other

        var string: String? { if case .string(let s) = self { s } else { nil } }
        var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    }

    /// An error reply: codes 0 unknown property, 1 bad value type, 2 invalid request, 3 invalid JSON.
    struct Failure: Error {
        var id: [UInt8]
        var code: Int
        var msg: String
    }

    let id: [UInt8]
    let method: Method
    let params: [Param]

    static let null: [UInt8] = Array("null".utf8)

    static func decode(_ text: String) -> Result<BinanceControl, Failure> {
        var t = text
        return t.withUTF8 { buf -> Result<BinanceControl, Failure> in
            let bytes = UnsafeRawBufferPointer(buf)
            let root: JSONValue
            do throws(JSONError) { root = try JSONValue.parse(bytes) } catch {
                return .failure(Failure(id: null, code: 3, msg: "Invalid JSON: \(error.reason) at byte \(error.offset)"))
            }
            guard root.kind == .object else { return .failure(Failure(id: null, code: 2, msg: "Invalid request: expected an object")) }
            var id = null
            if let v = root["id"] {
                switch v.kind {
                case .null: break
                case .number where v.int64 != nil: id = Array(v.rawBytes)
                case .string where v.rawBytes.count <= 36 && v.rawBytes.allSatisfy(isAlphanumeric):
                    id = Array(UnsafeRawBufferPointer(rebasing: bytes[v.start..<v.end]))
                default:
                    return .failure(Failure(id: null, code: 2, msg: "Invalid request: request ID must be an integer, "
                                            + "an alphanumeric string of at most 36 characters, or null"))
                }
            }
            guard let m = root["method"], let name = m.string else {
                return .failure(Failure(id: id, code: 2, msg: "Invalid request: missing field `method`"))
            }
            let method: Method
            switch name {
            case "SUBSCRIBE": method = .subscribe
            case "UNSUBSCRIBE": method = .unsubscribe
            case "LIST_SUBSCRIPTIONS": method = .list
            case "SET_PROPERTY": method = .setProperty
            case "GET_PROPERTY": method = .getProperty
            default:
                return .failure(Failure(id: id, code: 2, msg: "Invalid request: unknown variant `\(name)`, expected one of "
                                        + "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`"))
            }
            var params: [Param] = []
            if let p = root["params"], !p.isNull {
                guard p.kind == .array else { return .failure(Failure(id: id, code: 2, msg: "Invalid request: `params` must be an array")) }
                try? p.forEachElement { v in
                    switch v.kind {
                    case .string: params.append(.string(v.string ?? ""))
                    case .bool: params.append(.bool(v.bool ?? false))
                    default: params.append(.other)
                    }
                    return true
                }
            }
            if method == .subscribe || method == .unsubscribe {
                guard !params.isEmpty, params.allSatisfy({ $0.string != nil }) else {
                    return .failure(Failure(id: id, code: 2, msg: "Invalid request: `params` must be a non-empty array of stream names"))
                }
            }
            if method == .setProperty || method == .getProperty, params.first?.string == nil {
                return .failure(Failure(id: id, code: 2, msg: "Invalid request: property name must be a string"))
            }
            return .success(BinanceControl(id: id, method: method, params: params))
        }
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
}
