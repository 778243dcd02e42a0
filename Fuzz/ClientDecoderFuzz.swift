// libFuzzer entry point for the NATS client decoder (what partners send to the gateway).
// Built by `make fuzz` with `swiftc -sanitize=fuzzer,address` together with the decoder's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientDecoder(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var decoder = ClientDecoder(limits: .init(maxControlLine: 512, maxPayload: 4_096))
    fuzz(&decoder, Array(UnsafeBufferPointer(start: start, count: count))) { _ in }
    return 0
}
