import Foundation

/// Where settings come from, in precedence order: command-line flags, the process environment,
/// the `.env` file, then each setting's default.
///
/// Flags are stored under the variable name they set, so every setting resolves through one path
/// and an error can say which layer a bad value came from.
public struct ConfigurationSource: Sendable {
    /// A layer of values and how error messages name it.
    public enum Layer: Sendable, Equatable, CustomStringConvertible {
        case flags
        case environment
        case dotEnv(path: String)

        public var description: String {
            switch self {
            case .flags: "command line"
            case .environment: "environment"
            case .dotEnv(let path): path
            }
        }
    }

    /// A value found for a variable and the layer it came from.
    public struct Found: Sendable, Equatable {
        public let name: String
        public let value: String
        public let layer: Layer
    }

    private let layers: [(Layer, [String: String])]

    public init(flags: [String: String] = [:], environment: [String: String] = [:], dotEnv: DotEnvFile? = nil, dotEnvPath: String = ".env") {
        var layers: [(Layer, [String: String])] = [(.flags, flags), (.environment, environment)]
        if let dotEnv { layers.append((.dotEnv(path: dotEnvPath), dotEnv.values)) }
        self.layers = layers
    }

    /// The highest-precedence value among `names`: within one layer, earlier names win.
    ///
    /// Empty strings count as unset, as Compose passes `NAME=` for a variable it has no value for.
    public func first(_ names: String...) -> Found? {
        first(of: names)
    }

    /// See ``first(_:)``.
    public func first(of names: [String]) -> Found? {
        for (layer, values) in layers {
            for name in names {
                if let value = values[name], !value.isEmpty {
                    return Found(name: name, value: value, layer: layer)
                }
            }
        }
        return nil
    }

    /// A secret from `NAME` or from the file named by `NAME_FILE` (Docker secrets), with one
    /// trailing newline stripped from file contents.
    ///
    /// Setting both at the same layer is refused: which one wins would be a guess. An empty file is
    /// refused too, unless `emptyFileIsUnset`: then it means no value (the compose deployment
    /// mounts each `NAME_PREVIOUS_FILE` always, empty between rotations).
    public func secret(_ name: String, emptyFileIsUnset: Bool = false) throws(ConfigurationError) -> Secret? {
        let fileName = name + "_FILE"
        for (layer, values) in layers {
            let direct = values[name].flatMap { $0.isEmpty ? nil : $0 }
            let file = values[fileName].flatMap { $0.isEmpty ? nil : $0 }
            switch (direct, file) {
            case (.some, .some):
                throw ConfigurationError(variable: name, problem: "and \(fileName) are both set (\(layer))", fix: "set only one of them")
            case (.some(let value), nil):
                return Secret(value)
            case (nil, .some(let path)):
                let text = try Self.readSecretFile(path, variable: fileName)
                guard !text.isEmpty else {
                    if emptyFileIsUnset { return nil }
                    throw ConfigurationError(variable: fileName, problem: "names an empty file", fix: "write the secret into \(path)")
                }
                return Secret(text)
            case (nil, nil):
                continue
            }
        }
        return nil
    }

    private static func readSecretFile(_ path: String, variable: String) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(variable: variable, problem: "names \(path), which cannot be read", fix: "point it at a readable file holding the secret")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(variable: variable, problem: "names a file that is not UTF-8 text", fix: "store the secret as text")
        }
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}
