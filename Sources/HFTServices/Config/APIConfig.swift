import HFTCore

/// One `apis` / `ws_apis` entry: which venue, which credentials, where, and how tuned.
public struct APIConfig: Sendable, Hashable {
    public var venue: Venue
    /// nil when `sim` is true and none were given: the simulator's default credentials are used.
    public var credentials: Credentials?
    /// Endpoint overrides by name (names as `hft venues --json` lists them).
    public var endpoints: [String: String]
    /// Point this API at the embedded simulator.
    public var sim: Bool
    /// Venue tuning knobs (`ping_interval_s`, `max_msgs_per_s`, …) as given.
    public var options: [String: String]
    /// A named second account on the same venue; nil is the venue's default account.
    public var account: String?

    public init(venue: Venue, credentials: Credentials? = nil, endpoints: [String: String] = [:], sim: Bool = false,
                options: [String: String] = [:], account: String? = nil) {
        self.venue = venue
        self.credentials = credentials
        self.endpoints = endpoints
        self.sim = sim
        self.options = options
        self.account = account
    }

    static let keys = ["exchange", "api_key", "api_secret", "private_key_file", "passphrase", "endpoints", "sim", "options", "account"]

    static func parse(_ value: ConfigValue, at path: String, in reader: ConfigReader) throws(ConfigError) -> APIConfig {
        let members = try reader.object(value, at: path, allowedKeys: keys)
        guard let ex = members["exchange"] else { throw reader.error(path + ".exchange", "a venue name (\(Venue.allCases.map(\.rawValue).joined(separator: ", ")))", found: "nothing") }
        let venueName = try reader.string(ex, at: path + ".exchange")
        guard let venue = Venue(name: venueName) else {
            throw reader.error(path + ".exchange", "one of \(Venue.allCases.map(\.rawValue).joined(separator: ", "))", found: ex.brief)
        }
        let sim = try members["sim"].map { v throws(ConfigError) in try reader.bool(v, at: path + ".sim") } ?? false
        let key = try members["api_key"].map { v throws(ConfigError) in try reader.secret(v, at: path + ".api_key") }
        let secret = try members["api_secret"].map { v throws(ConfigError) in try reader.secret(v, at: path + ".api_secret") }
        let pem = try members["private_key_file"].map { v throws(ConfigError) in try reader.secret(v, at: path + ".private_key_file") }
        let passphrase = try members["passphrase"].map { v throws(ConfigError) in try reader.secret(v, at: path + ".passphrase") }
        var credentials: Credentials?
        switch (key, secret) {
        case let (k?, s?): credentials = Credentials(apiKey: k, apiSecret: s, privateKeyPEM: pem, passphrase: passphrase)
        case (nil, nil) where sim: credentials = nil
        case (nil, _): throw reader.error(path + ".api_key", "an API key (or \"sim\": true)", found: "nothing")
        case (_, nil): throw reader.error(path + ".api_secret", "an API secret (or \"sim\": true)", found: "nothing")
        }
        var endpoints: [String: String] = [:]
        if let e = members["endpoints"] {
            for (name, url) in try reader.object(e, at: path + ".endpoints", allowedKeys: nil) {
                let u = try reader.string(url, at: path + ".endpoints.\(name)")
                guard u.hasPrefix("ws://") || u.hasPrefix("wss://") || u.hasPrefix("http://") || u.hasPrefix("https://") else {
                    throw reader.error(path + ".endpoints.\(name)", "a ws://, wss://, http:// or https:// URL", found: url.brief)
                }
                endpoints[name] = u
            }
        }
        var options: [String: String] = [:]
        if let o = members["options"] {
            for (name, v) in try reader.object(o, at: path + ".options", allowedKeys: nil) {
                switch v {
                case .number(let n): options[name] = n
                case .string(let s): options[name] = s
                case .bool(let b): options[name] = b ? "true" : "false"
                default: throw reader.error(path + ".options.\(name)", "a number, string or boolean", found: v.brief)
                }
            }
        }
        let account = try members["account"].map { v throws(ConfigError) in try reader.string(v, at: path + ".account") }
        return APIConfig(venue: venue, credentials: credentials, endpoints: endpoints, sim: sim, options: options, account: account)
    }
}
