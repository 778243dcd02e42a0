/// A small deterministic generator so failures replay.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `bytes` cut into pieces of 1 to 40 bytes, the same cuts for the same seed.
    static func chunks(of bytes: [UInt8], seed: Int) -> [[UInt8]] {
        var generator = SplitMix(seed: UInt64(seed))
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let size = Int.random(in: 1...40, using: &generator)
            chunks.append(Array(bytes[index..<min(index + size, bytes.count)]))
            index += size
        }
        return chunks
    }
}
