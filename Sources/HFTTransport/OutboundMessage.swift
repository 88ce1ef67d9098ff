/// A message to send.
public enum OutboundMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}
