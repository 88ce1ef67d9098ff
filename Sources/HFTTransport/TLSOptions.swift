import HFTCore
import NIOSSL

/// Client TLS settings for `wss://` and `https://`. Certificate verification is on by default.
public struct TLSOptions: Sendable {
    public enum Verification: Sendable, Equatable {
        /// Chain and hostname are checked (the default).
        case full
        /// Chain checked, hostname not (only for odd test setups).
        case chainOnly
        /// Nothing checked. Never use against a real venue.
        case none
    }

    public var verification: Verification
    /// Extra trust anchors in PEM (e.g. a test CA), used next to the system roots.
    public var extraTrustRootsPEM: [String]
    /// Use only `extraTrustRootsPEM`, not the system roots.
    public var trustOnlyExtraRoots: Bool
    /// SNI and verification name; defaults to the URL's host (IP literals are not sent as SNI).
    public var serverHostname: String?

    public init(verification: Verification = .full, extraTrustRootsPEM: [String] = [],
                trustOnlyExtraRoots: Bool = false, serverHostname: String? = nil) {
        self.verification = verification
        self.extraTrustRootsPEM = extraTrustRootsPEM
        self.trustOnlyExtraRoots = trustOnlyExtraRoots
        self.serverHostname = serverHostname
    }

    public static let `default` = TLSOptions()

    /// The NIOSSL configuration these options describe.
    public func makeConfiguration() throws(HFTError) -> TLSConfiguration {
        var config = TLSConfiguration.makeClientConfiguration()
        switch verification {
        case .full: config.certificateVerification = .fullVerification
        case .chainOnly: config.certificateVerification = .noHostnameVerification
        case .none: config.certificateVerification = .none
        }
        var roots: [NIOSSLCertificate] = []
        do {
            for pem in extraTrustRootsPEM { roots += try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) }
        } catch {
            throw .configuration("bad trust root PEM: \(error)")
        }
        if trustOnlyExtraRoots {
            config.trustRoots = .certificates(roots)
        } else if !roots.isEmpty {
            config.additionalTrustRoots = [.certificates(roots)]
        }
        return config
    }

    func makeContext() throws(HFTError) -> NIOSSLContext {
        let config = try makeConfiguration()
        do { return try NIOSSLContext(configuration: config) } catch { throw .tls("cannot build TLS context: \(error)") }
    }
}
