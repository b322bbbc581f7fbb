/// The hash chain over the journal. Entry n's hash is
/// `SHA-256(prev_hash ‖ "<seq>\n<ts>\n<type>\n" ‖ payload)`, where `prev_hash` is the 32 raw
/// bytes of entry n−1's hash (32 zero bytes for the first entry) and `payload` the canonical
/// JSON bytes of the event. `docs/architecture.md` specifies it for outside verifiers.
public enum Chain {
    /// The previous hash of the first entry.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The hash of one journal entry.
    public static func hash(previous: [UInt8], seq: Int64, timestamp: Int64, type: String, payload: [UInt8]) -> [UInt8] {
        // One message, hashed in one call: no string of the header, no hash buffer.
        var message = [UInt8]()
        message.reserveCapacity(previous.count + 42 + type.utf8.count + payload.count)
        var type = type
        type.withUTF8 { t in
            previous.withUnsafeBytes { p in
                payload.withUnsafeBytes { b in
                    _ = appendMessage(to: &message, previous: p, seq: seq, timestamp: timestamp, type: UnsafeRawBufferPointer(t), payload: b)
                }
            }
        }
        return SHA256.hash(message)
    }

    /// Appends the message an entry's hash covers to `message`: the previous hash, then
    /// `<seq>\n<ts>\n<type>\n`, then the payload. Returns where its type and its payload start.
    @discardableResult
    public static func appendMessage(to message: inout [UInt8], previous: UnsafeRawBufferPointer, seq: Int64, timestamp: Int64,
                                     type: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> (type: Int, payload: Int) {
        message.append(contentsOf: previous)
        message.appendDecimal(seq)
        message.append(0x0a)
        message.appendDecimal(timestamp)
        message.append(0x0a)
        let typeStart = message.count
        message.append(contentsOf: type)
        message.append(0x0a)
        let payloadStart = message.count
        message.append(contentsOf: payload)
        return (typeStart, payloadStart)
    }
}
