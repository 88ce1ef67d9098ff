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
