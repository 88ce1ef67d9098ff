import HFTCore

/// One client request (§2): `{"id":N,"method":"…","params":[…]}`.
struct DigiFinexRequest: Sendable {
    /// The `id` token as sent (echoed verbatim); nil when absent.
    var id: [UInt8]?
    var method: String
    /// String and number parameters as text, in order.
    var params: [String]
}

/// A request that cannot be served, with the `id` found so far.
struct DigiFinexBadRequest: Error, Sendable {
    var id: [UInt8]?
    var error: DigiFinexWSError

    init(_ id: [UInt8]?, _ error: DigiFinexWSError) {
        self.id = id
        self.error = error
    }
}

enum DigiFinexRequestDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<DigiFinexRequest, DigiFinexBadRequest> {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { return .failure(DigiFinexBadRequest(nil, .invalidArgument)) }
        guard root.kind == .object else { return .failure(DigiFinexBadRequest(nil, .invalidArgument)) }
        var id: [UInt8]?
        if let v = root["id"], v.kind == .number || v.kind == .string {
            id = Array(UnsafeRawBufferPointer(rebasing: v.buffer[v.start..<v.end]))
        }
        guard let m = root["method"], let method = m.string else { return .failure(DigiFinexBadRequest(id, .invalidArgument)) }
        var params: [String] = []
        if let p = root["params"], !p.isNull {
            guard p.kind == .array else { return .failure(DigiFinexBadRequest(id, .invalidArgument)) }
            var ok = true
            try? p.forEachElement { e in
                switch e.kind {
                case .string, .number:
                    params.append(e.text ?? "")
                    return true
                default:
                    ok = false
                    return false
                }
            }
            guard ok else { return .failure(DigiFinexBadRequest(id, .invalidArgument)) }
        }
        return .success(DigiFinexRequest(id: id, method: method, params: params))
    }
}
