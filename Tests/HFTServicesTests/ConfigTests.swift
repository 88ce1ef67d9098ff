import Testing
@testable import HFTServices
import HFTCore

@Suite struct ConfigTests {
    let specs: [String: [ParameterSpec]] = [
        "MMDemoService": [
            ParameterSpec("symbol", .symbol, required: true),
            ParameterSpec("spread_bps", .decimal, default: .number("10")),
            ParameterSpec("levels", .integer, default: .number("1")),
            ParameterSpec("dry_run", .bool),
        ],
        "Other": [],
    ]

    func parse(_ text: String, env: [String: String] = [:]) throws(ConfigError) -> ServicesConfig {
        try ServicesConfig.parse(text, file: "svc.json", specs: specs, environment: env)
    }

    func expectError(_ text: String, path: String, expecting fragment: String, env: [String: String] = [:],
                     sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(text, env: env)
            Issue.record("no error for \(text)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.file == "svc.json", sourceLocation: sourceLocation)
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func parsesTheHftpyShapeWithSeveralServices() throws {
        let text = """
        {
          "service.mm_demo": {
            "class_name": "MMDemoService",
            "setting": {
              "apis": [{"exchange": "kraken", "api_key": "k", "api_secret": "${KRAKEN_SECRET}"}],
              "ws_apis": [{"exchange": "Kraken", "api_key": "k", "api_secret": "${KRAKEN_SECRET}",
                           "endpoints": {"ws": "ws://127.0.0.1:9000/v2"}, "options": {"ping_interval_s": 15}}],
              "symbol": "BTC/USD",
              "spread_bps": 12.50
            }
          },
          "service.other": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "binance", "sim": true}]}}
        }
        """
        let config = try parse(text, env: ["KRAKEN_SECRET": "s3cr3t"])
        #expect(config.services.map(\.name) == ["service.mm_demo", "service.other"])
        let mm = config.services[0]
        #expect(mm.className == "MMDemoService")
        #expect(mm.apis.first?.venue == .kraken)
        #expect(mm.wsAPIs.first?.credentials?.apiSecret.reveal() == "s3cr3t")
        #expect(mm.wsAPIs.first?.endpoints["ws"] == "ws://127.0.0.1:9000/v2")
        #expect(mm.wsAPIs.first?.options["ping_interval_s"] == "15")
        #expect(mm.parameters.symbol("symbol") == Symbol(base: "BTC", quote: "USD"))
        #expect(mm.parameters.decimal("spread_bps")?.description == "12.50")
        #expect(mm.parameters.integer("levels") == 1)
        let other = config.services[1].wsAPIs[0]
        #expect(other.sim && other.credentials == nil)
        #expect(!"\(mm.wsAPIs[0])".contains("s3cr3t"))
    }

    @Test func malformedJSONNamesLineAndColumn() {
        expectError("{\n  \"service.a\": {\"class_name\": \"Other\",}\n}", path: "", expecting: "line 2")
        expectError("", path: "", expecting: "valid JSON")
        expectError("{\"service.a\": {\"class_name\": \"Other\"}, \"service.a\": {}}", path: "", expecting: "duplicate key")
    }

    @Test func unknownKeysAreRejectedWhereverTheyAre() {
        expectError(#"{"svc": {}}"#, path: "svc", expecting: "service.NAME")
        expectError(#"{"service.a": {"class_name": "Other", "settings": {}}}"#, path: "service.a.settings", expecting: "unknown key \"settings\"")
        expectError(#"{"service.a": {"class_name": "Other", "setting": {"apis": [{"exchange": "kraken", "sim": true, "apikey": "x"}]}}}"#,
                    path: "service.a.setting.apis[0].apikey", expecting: "unknown key")
        expectError(#"{"service.a": {"class_name": "MMDemoService", "setting": {"symbol": "BTC/USD", "sprd": 1}}}"#,
                    path: "service.a.setting.sprd", expecting: "spread_bps")
    }

    @Test func unknownClassNamesAndVenues() {
        expectError(#"{"service.a": {"class_name": "Nope"}}"#, path: "service.a.class_name", expecting: "registered service class (MMDemoService, Other)")
        expectError(#"{"service.a": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "krakn", "sim": true}]}}}"#,
                    path: "service.a.setting.ws_apis[0].exchange", expecting: "one of kraken, binance")
        expectError(#"{"service.a": {"setting": {}}}"#, path: "service.a.class_name", expecting: "class name")
    }

    @Test func missingCredentialsAndEnvironment() {
        expectError(#"{"service.a": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "kraken"}]}}}"#,
                    path: "service.a.setting.ws_apis[0].api_key", expecting: "API key")
        expectError(#"{"service.a": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "kraken", "api_key": "k"}]}}}"#,
                    path: "service.a.setting.ws_apis[0].api_secret", expecting: "API secret")
        expectError(#"{"service.a": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "kraken", "api_key": "k", "api_secret": "${NOPE}"}]}}}"#,
                    path: "service.a.setting.ws_apis[0].api_secret", expecting: "environment variable NOPE")
        // A wrong type for a secret never echoes the value.
        do {
            _ = try parse(#"{"service.a": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "kraken", "api_key": "k", "api_secret": 123456}]}}}"#)
            Issue.record("accepted a numeric secret")
        } catch {
            #expect(!error.description.contains("123456"))
        }
    }

    @Test func parameterTypesAreChecked() {
        expectError(#"{"service.a": {"class_name": "MMDemoService", "setting": {}}}"#, path: "service.a.setting.symbol", expecting: "required")
        expectError(#"{"service.a": {"class_name": "MMDemoService", "setting": {"symbol": "BTCUSD"}}}"#, path: "service.a.setting.symbol", expecting: "BASE/QUOTE")
        expectError(#"{"service.a": {"class_name": "MMDemoService", "setting": {"symbol": "BTC/USD", "levels": 1.5}}}"#, path: "service.a.setting.levels", expecting: "integer")
        expectError(#"{"service.a": {"class_name": "MMDemoService", "setting": {"symbol": "BTC/USD", "spread_bps": "wide"}}}"#, path: "service.a.setting.spread_bps", expecting: "decimal")
        expectError(#"{"service.a": {"class_name": "Other", "setting": {"ws_apis": [{"exchange": "kraken", "sim": true, "endpoints": {"ws": "ftp://x"}}]}}}"#,
                    path: "service.a.setting.ws_apis[0].endpoints.ws", expecting: "URL")
        expectError(#"{}"#, path: "", expecting: "at least one")
    }
}
