import ArgumentParser
import Foundation
import HFTKit

/// Where and as whom a command connects: endpoints, credentials (environment or config file),
/// tuning knobs, or the embedded simulator.
struct VenueConnectionOptions: ParsableArguments {
    @Option(name: .customLong("endpoint"), help: "NAME=URL replaces one of the venue's endpoints (repeatable; names from `hft venues`).")
    var endpoints: [String] = []
    @Option(help: "A services config file (apis / ws_apis entries) to take credentials, endpoints and options from.")
    var config: String?
    @Option(name: .customLong("venue-option"), help: "NAME=VALUE sets a venue tuning knob (repeatable).")
    var venueOptions: [String] = []
    @Flag(help: "Start the venue's simulator in this process and connect to it with its credentials.")
    var sim = false
    @Option(name: .customLong("sim-rate"), help: "With --sim: synthetic book updates per second.")
    var simRate: Double = 50

    func validate() throws {
        _ = try Self.pairs(endpoints, flag: "--endpoint")
        _ = try Self.pairs(venueOptions, flag: "--venue-option")
        guard simRate >= 0 else { throw ValidationError("--sim-rate must be ≥ 0") }
    }

    static func pairs(_ items: [String], flag: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex, item.index(after: eq) != item.endIndex else {
                throw ValidationError("\(flag) takes NAME=VALUE, got '\(item)'")
            }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// Registry settings for `venue`; starts the simulator first when `--sim` (returned so the caller stops it).
    func settings(for venue: Venue) async throws -> (VenueAPISettings, SimulatorHost?) {
        var endpoints: [String: String] = [:]
        var options: [String: String] = [:]
        var credentials: Credentials?
        var useSim = sim
        if let config {
            let parsed: ServicesConfig
            do { parsed = try ServicesConfig.load(path: config, specs: ServiceRegistry.builtIn.specs) } catch {
                throw CLIFailure.usage("\(error)")
            }
            let entries = parsed.services.flatMap { $0.wsAPIs + $0.apis }.filter { $0.venue == venue }
            if let entry = entries.first {
                endpoints = entry.endpoints
                options = entry.options
                credentials = entry.credentials
                useSim = useSim || entry.sim
            }
        }
        for (k, v) in try Self.pairs(self.endpoints, flag: "--endpoint") { endpoints[k] = v }
        for (k, v) in try Self.pairs(venueOptions, flag: "--venue-option") { options[k] = v }
        if credentials == nil { credentials = try Self.environmentCredentials(venue) }
        var host: SimulatorHost?
        if useSim {
            let simHost = SimulatorHost(options: .init(flowRate: simRate, seed: 7))
            let running: SimulatorHost.Running
            do { running = try await simHost.start([venue])[0] } catch { throw CLIFailure.usage("--sim: \(error)") }
            for (name, url) in running.endpoints where endpoints[name] == nil { endpoints[name] = url }
            if credentials == nil, let c = running.credentials.first {
                credentials = Credentials(apiKey: Secret(c.apiKey), apiSecret: Secret(c.apiSecret), passphrase: c.passphrase.map { Secret($0) })
            }
            host = simHost
        }
        if let descriptor = VenueCatalog.descriptor(for: venue) {
            do { endpoints = try descriptor.resolveEndpoints(endpoints) } catch {
                await host?.shutdown()
                throw CLIFailure.usage("\(error)")
            }
        }
        return (VenueAPISettings(venue: venue, credentials: credentials, endpoints: endpoints, options: options), host)
    }

    /// `HFT_<VENUE>_API_KEY` / `_API_SECRET` (+ `_PASSPHRASE`, Binance `HFT_BINANCE_PRIVATE_KEY_FILE`).
    static func environmentCredentials(_ venue: Venue) throws -> Credentials? {
        let env = ProcessInfo.processInfo.environment
        let prefix = "HFT_\(venue.rawValue.uppercased())_"
        guard let key = env[prefix + "API_KEY"], !key.isEmpty else { return nil }
        let secret = env[prefix + "API_SECRET"] ?? ""
        var pem: Secret?
        if let file = env[prefix + "PRIVATE_KEY_FILE"], !file.isEmpty {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CLIFailure.usage("\(prefix)PRIVATE_KEY_FILE: cannot read the key file")
            }
            pem = Secret(text)
        }
        return Credentials(apiKey: Secret(key), apiSecret: Secret(secret), privateKeyPEM: pem,
                           passphrase: env[prefix + "PASSPHRASE"].map { Secret($0) })
    }
}

/// A failure with the contract's exit code: 2 usage/config, 1 the venue refused or a check failed.
enum CLIFailure: Error, CustomStringConvertible {
    case usage(String)
    case refused(String)

    var description: String {
        switch self {
        case .usage(let s), .refused(let s): s
        }
    }

    var exitCode: ExitCode { if case .usage = self { ExitCode(2) } else { ExitCode(1) } }

    static func from(_ error: any Error) -> CLIFailure {
        if let f = error as? CLIFailure { return f }
        if let v = error as? ValidationError { return .usage(v.message) }
        if let e = error as? HFTError {
            switch e {
            case .configuration, .invalidArgument, .unsupported: return .usage("\(e)")
            default: return .refused("\(e)")
            }
        }
        return .refused("\(error)")
    }
}

/// Symbols as given on the command line: unified `BASE/QUOTE[:SETTLE]` or the venue's own spelling.
enum CLISymbol {
    static func parse(_ text: String, venue: Venue) throws -> Symbol {
        if text.contains("/") {
            do { return try Symbol(parsing: text) } catch { throw ValidationError("\(error)") }
        }
        let spelling: SymbolSpelling
        if venue == .fmex {
            spelling = SymbolSpelling(separator: "", letterCase: .lower, perpetualSuffix: "_p")
        } else if text.contains("_") {
            spelling = .underscoredUpper
        } else if text.contains("-") {
            spelling = SymbolSpelling(separator: "-", letterCase: .upper)
        } else {
            spelling = .concatenatedUpper
        }
        guard let symbol = spelling.unified(text) else {
            throw ValidationError("symbol '\(text)': expected BASE/QUOTE[:SETTLE] or the venue's spelling (BTCUSDT, btc_usdt, btcusd_p)")
        }
        return symbol
    }

    static func venue(_ name: String) throws -> Venue {
        guard let v = Venue(name: name) else {
            throw ValidationError("unknown venue '\(name)'; known: \(Venue.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}
