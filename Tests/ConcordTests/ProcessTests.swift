import Testing

/// The suites that start `concord` processes (each a whole deployment or a bench). They run one
/// after another: several at once on a 2-core machine would turn start-up into the thing being
/// measured. Launching is safe from any task (swift-subprocess); this is about load only.
@Suite("Real processes", .serialized)
struct ProcessTests {}
