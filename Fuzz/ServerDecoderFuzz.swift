// libFuzzer entry point for the NATS server-side stream decoder (what `concord sub`, the partner
// client and the load client read): any bytes, in any split, must either decode or fail with a
// protocol error; never crash, hang or grow without bound.
// Built by `make fuzz` with `swiftc -sanitize=fuzzer,address` together with the decoder's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerDecoder(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    var decoder = ServerDecoder(maxPayload: 4_096, maxControlLine: 512)
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
                if case .msg(_, _, _, let headers, let payload) = operation {
                    precondition((headers?.count ?? 0) + payload.count <= 4_096, "a message over the payload limit")
                }
            }
        }
    } catch {
        precondition(!error.errText.isEmpty)
    }
    return 0
}
