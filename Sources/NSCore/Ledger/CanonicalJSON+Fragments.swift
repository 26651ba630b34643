/// Canonical JSON assembled from parts that are already canonical, such as a transaction's stored
/// bytes. Re-encoding a thousand transactions from their values for every block or mempool page
/// costs more than the request itself; splicing their bytes gives exactly what
/// ``CanonicalJSON/encode(_:)`` would of the whole value.
extension CanonicalJSON {
    /// `[e1,e2,...]`. Each element must be canonical JSON (as ``encode(_:)`` writes it).
    public static func array(ofEncoded elements: some Collection<[UInt8]>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 + elements.reduce(0) { $0 + $1.count + 1 })
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += element
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// An object whose member values are canonical JSON, written with its keys in canonical order.
    public static func object(ofEncoded members: [String: [UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(2 + members.reduce(0) { $0 + $1.key.utf8.count + $1.value.count + 4 })
        for (index, key) in sortedKeys(members.keys).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            out += members[key]!  // key comes from members
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
