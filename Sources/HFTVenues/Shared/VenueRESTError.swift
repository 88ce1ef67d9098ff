/// Why a REST reply was refused: the venue's own error, or a body that did not read.
import HFTCore

/// A venue's error reply as its REST error carries it.
public protocol VenueRESTErrorDetail: Error, Sendable, Equatable, CustomStringConvertible {
    /// Names the venue in malformed-reply texts (`BGE REST`).
    static var restName: String { get }
    var hftError: HFTError { get }
}

public enum VenueRESTError<Detail: VenueRESTErrorDetail>: HFTErrorConvertible, Sendable, Equatable, CustomStringConvertible {
    case venue(Detail)
    case malformed(String)

    public var description: String {
        switch self {
        case .venue(let e): e.description
        case .malformed(let s): "\(Detail.restName): malformed response (\(s))"
        }
    }

    public var hftError: HFTError {
        switch self {
        case .venue(let e): e.hftError
        case .malformed: .malformedFrame(description)
        }
    }

    /// Hands the body's JSON root to `read`; a body that is no JSON is `.malformed`.
    static func withRoot<T>(_ body: [UInt8], _ read: (JSONValue) throws(Self) -> T) throws(Self) -> T {
        let r: Result<T, Self> = body.withUnsafeBytes { bytes in
            do throws(Self) {
                let root: JSONValue
                do throws(JSONError) { root = try JSONValue.root(bytes) } catch { throw .malformed(error.description) }
                return .success(try read(root))
            } catch { return .failure(error) }
        }
        return try r.get()
    }
}
