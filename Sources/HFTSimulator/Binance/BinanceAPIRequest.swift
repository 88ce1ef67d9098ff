import HFTCore

/// One WS API request (§4) read off the wire: the id as its JSON text (echoed verbatim), the
/// method without its version prefix, and the params with each value as the exact text that
/// was sent (strings unescaped, numbers and booleans as their tokens) — what the signature
/// covers.
struct BinanceAPIRequest: Sendable {
    var id: [UInt8]
    var method: String
    var params: [(String, String)]

    func param(_ name: String) -> String? { params.first { $0.0 == name }?.1 }

    /// Params without `signature`, for the signature payload.
    var signedParams: [(String, String)] { params.filter { $0.0 != "signature" } }

    static let nullID: [UInt8] = Array("null".utf8)

    /// A request that cannot be served, with the id to answer under (`null` when unreadable).
    struct Failure: Error {
        let id: [UInt8]
        let failure: BinanceFailure
    }

    /// The request, or the failure to answer with the id when it could be read (else `null`).
    static func decode(_ text: String) -> Result<BinanceAPIRequest, Failure> {
        var t = text
        return t.withUTF8 { buf -> Result<BinanceAPIRequest, Failure> in
            let bytes = UnsafeRawBufferPointer(buf)
            guard let root = try? JSONValue.parse(bytes), root.kind == .object else { return .failure(Failure(id: nullID, failure: .invalidJSON)) }
            var id = nullID
            if let v = root["id"] {
                switch v.kind {
                case .string, .null: id = Array(UnsafeRawBufferPointer(rebasing: bytes[v.start..<v.end]))
                case .number where v.int64 != nil: id = Array(v.rawBytes)
                default: return .failure(Failure(id: nullID, failure: .mandatory("id")))
                }
            }
            guard let m = root["method"], m.kind == .string, var method = m.string, !method.isEmpty else {
                return .failure(Failure(id: id, failure: .mandatory("method")))
            }
            if method.hasPrefix("v3/") { method.removeFirst(3) }
            var params: [(String, String)] = []
            if let p = root["params"], !p.isNull {
                guard p.kind == .object else { return .failure(Failure(id: id, failure: .mandatory("params"))) }
                do throws(JSONError) {
                    try p.forEachMember { name, value in
                        let key = JSONValue.unescape(name)
                        switch value.kind {
                        case .string: params.append((key, value.string ?? ""))
                        case .number, .bool: params.append((key, value.text ?? ""))
                        case .null: break
                        case .object, .array:
                            params.append((key, String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value.start..<value.end]), as: UTF8.self)))
                        }
                        return true
                    }
                } catch { return .failure(Failure(id: id, failure: .invalidJSON)) }
            }
            return .success(BinanceAPIRequest(id: id, method: method, params: params))
        }
    }
}

/// Typed access to a request's params with Binance's parameter errors.
struct BinanceParams {
    let request: BinanceAPIRequest

    func string(_ name: String) -> String? {
        guard let v = request.param(name), !v.isEmpty else { return nil }
        return v
    }

    func required(_ name: String) throws(BinanceFailure) -> String {
        guard let v = string(name) else { throw .mandatory(name) }
        return v
    }

    func int(_ name: String) throws(BinanceFailure) -> Int64? {
        guard let v = string(name) else { return nil }
        guard let n = Int64(v) else { throw .illegalChars(name) }
        return n
    }

    func decimal(_ name: String) throws(BinanceFailure) -> FixedDecimal? {
        guard let v = string(name) else { return nil }
        guard v.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") }), let d = FixedDecimal(v), !d.isNegative else {
            throw .illegalChars(name)
        }
        return d
    }

    func bool(_ name: String) throws(BinanceFailure) -> Bool? {
        guard let v = string(name) else { return nil }
        switch v.lowercased() {
        case "true": return true
        case "false": return false
        default: throw BinanceFailure(-1100, "Illegal characters found in parameter '\(name)'; legal range is 'true, false'.")
        }
    }
}
