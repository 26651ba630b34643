/// An IPv4 or IPv6 address block in CIDR notation (`10.0.0.0/8`, `::1/128`, or a bare address).
///
/// The gateway believes `X-Forwarded-For` only from peers inside `TRUSTED_PROXIES`; parsing is
/// strict so a typo in that list is a start-up error, not a silently open door.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network address, 4 or 16 bytes, with host bits cleared.
    public let bytes: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPNetwork.parseAddress(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefix = value
        }
        self.prefixLength = prefix
        self.bytes = IPNetwork.mask(address, prefix: prefix)
    }

    /// Whether `address` (textual, IPv4 or IPv6; an IPv4-mapped IPv6 address counts as IPv4) lies inside.
    public func contains(_ address: String) -> Bool {
        guard var candidate = IPNetwork.parseAddress(address) else { return false }
        if candidate.count == 16, bytes.count == 4, candidate[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        return IPNetwork.mask(candidate, prefix: prefixLength) == bytes
    }

    public var description: String {
        let address = bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : IPNetwork.formatIPv6(bytes)
        return "\(address)/\(prefixLength)"
    }

    /// Parses a comma-separated list; the first bad entry is returned as the error.
    public static func list(_ text: String) -> Result<[IPNetwork], BadEntry> {
        var networks: [IPNetwork] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let network = IPNetwork(entry) else { return .failure(BadEntry(entry: entry)) }
            networks.append(network)
        }
        return .success(networks)
    }

    public struct BadEntry: Error, Sendable {
        public let entry: String
    }

    /// The 4 or 16 bytes of a textual address, or `nil`.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(text) }
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt8(octet), octet.count == 1 || octet.first != "0" else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseAddress(String(piece)), v4.count == 4 else { return nil }
                    bytes += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    private static func mask(_ address: [UInt8], prefix: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let keep = max(0, min(8, prefix - index * 8))
            return keep == 8 ? byte : byte & ~(UInt8(0xff) >> keep)
        }
    }

    private static func formatIPv6(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
