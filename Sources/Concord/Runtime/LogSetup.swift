import Logging

/// Sends swift-log output to standard error at the chosen level, once per process, and
/// bootstraps metrics before any part creates its counters (a counter made before the metrics
/// system is bootstrapped counts nowhere).
enum LogSetup {
    static func bootstrap(level: String) {
        let level = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        _ = MetricsSetup.registry
    }
}
