// What both fuzz harnesses check: any bytes, in any split, must either decode or fail with a
// protocol error; never crash, hang or yield more operations than bytes.

func fuzz<Decoder: NATSStreamDecoder>(_ decoder: inout Decoder, _ bytes: [UInt8], check: (Decoder.Operation) -> Void) {
    // The first byte chooses the chunk size, so splits are explored too.
    let chunk = max(1, Int(bytes.first ?? 1))
    var index = 0
    var operations = 0
    do {
        while index < bytes.count {
            decoder.append(bytes[index..<min(index + chunk, bytes.count)])
            index += chunk
            while let operation = try decoder.next() {
                operations += 1
                precondition(operations <= bytes.count, "more operations than bytes")
                check(operation)
            }
        }
    } catch {
        precondition(!error.errText.isEmpty)
    }
}
