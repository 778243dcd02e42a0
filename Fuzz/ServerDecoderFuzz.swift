// libFuzzer entry point for the NATS server-stream decoder (what `concord sub`, the partner
// client and the load client read). Built by `make fuzz` with `swiftc -sanitize=fuzzer,address`
// together with the decoder's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerDecoder(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var decoder = ServerDecoder(maxPayload: 4_096, maxControlLine: 512)
    fuzz(&decoder, Array(UnsafeBufferPointer(start: start, count: count))) { operation in
        if case .msg(_, _, _, let headers, let payload) = operation {
            precondition((headers?.count ?? 0) + payload.count <= 4_096, "a message over the payload limit")
        }
    }
    return 0
}
