import Foundation
import HFTCore

/// One service entry of a config file: `"service.NAME": {"class_name": …, "setting": {…}}`.
public struct ServiceConfig: Sendable {
    /// The key in the file, e.g. `service.mm_demo`.
    public var name: String
    public var className: String
    public var apis: [APIConfig]
    public var wsAPIs: [APIConfig]
    public var parameters: ServiceParameters
}

/// A services config file in the hftpy layer's shape; several services per file.
public struct ServicesConfig: Sendable {
    public var file: String
    public var services: [ServiceConfig]

    /// Reads and validates a config file. `specs` gives each known class name's parameters.
    public static func load(path: String, specs: [String: [ParameterSpec]],
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> ServicesConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, path: "", expected: "a readable UTF-8 file", found: "\(error.localizedDescription)")
        }
        return try parse(text, file: path, specs: specs, environment: environment)
    }

    public static func parse(_ text: String, file: String, specs: [String: [ParameterSpec]],
                             environment: [String: String] = [:]) throws(ConfigError) -> ServicesConfig {
        let reader = ConfigReader(file: file, environment: environment)
        let root = try ConfigValue.parse(text, file: file)
        let entries = try reader.object(root, at: "", allowedKeys: nil)
        var services: [ServiceConfig] = []
        for (key, value) in entries {
            guard key.hasPrefix("service."), key.count > "service.".count else {
                throw reader.error(key, "a key of the form service.NAME", found: "\"\(key)\"")
            }
            let members = try reader.object(value, at: key, allowedKeys: ["class_name", "setting"])
            guard let cn = members["class_name"] else { throw reader.error("\(key).class_name", "a service class name", found: "nothing") }
            let className = try reader.string(cn, at: "\(key).class_name")
            guard let classSpecs = specs[className] else {
                let names = specs.keys.sorted().joined(separator: ", ")
                throw reader.error("\(key).class_name", "a registered service class (\(names))", found: "\"\(className)\"")
            }
            let settingPath = "\(key).setting"
            let setting = try reader.object(members["setting"] ?? .object([]), at: settingPath, allowedKeys: nil)
            var apis: [APIConfig] = [], wsAPIs: [APIConfig] = []
            for (list, name) in [(\ServiceConfig.apis, "apis"), (\ServiceConfig.wsAPIs, "ws_apis")] {
                guard let v = setting[name] else { continue }
                var parsed: [APIConfig] = []
                for (i, item) in try reader.array(v, at: "\(settingPath).\(name)").enumerated() {
                    parsed.append(try APIConfig.parse(item, at: "\(settingPath).\(name)[\(i)]", in: reader))
                }
                if list == \ServiceConfig.apis { apis = parsed } else { wsAPIs = parsed }
            }
            let parameters = try ServiceParameters.validate(setting, specs: classSpecs, at: settingPath, reader: reader)
            services.append(ServiceConfig(name: key, className: className, apis: apis, wsAPIs: wsAPIs, parameters: parameters))
        }
        guard !services.isEmpty else { throw reader.error("", "at least one \"service.NAME\" entry", found: "none") }
        return ServicesConfig(file: file, services: services)
    }
}
