/// What a session received from its client.
public enum ServerInbound: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    case close(code: UInt16?, reason: String)

    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

extension ServerInbound {
    /// True for text and binary frames.
    var isData: Bool {
        switch self {
        case .text, .binary: true
        default: false
        }
    }

    /// Calls `body` with a data frame's payload (a text frame's UTF-8); nothing for control frames.
    func withPayload(_ body: (UnsafeRawBufferPointer) -> Void) {
        switch self {
        case .text(let s):
            var t = s
            t.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .binary(let b):
            b.withUnsafeBytes(body)
        default:
            return
        }
    }
}
