import Testing

/// The suites that start `concord` processes. They run one after another: together they would
/// overload a 2-core machine and turn start-up times into failures.
@Suite("Real processes", .serialized)
struct ProcessTests {}
