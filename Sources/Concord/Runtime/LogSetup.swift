import Logging

/// Sends swift-log output to standard error at the chosen level, once per process.
enum LogSetup {
    static func bootstrap(level: String) {
        let level = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
