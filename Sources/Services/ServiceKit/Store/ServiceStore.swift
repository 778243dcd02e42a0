import BusCore
import GRDB

/// Opens a service's one SQLite database: WAL mode, the bus's tables (journal, cursors, dead
/// letters, command outcomes), then the service's own named migrations.
public enum ServiceStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    public static func open(path: String, migrations: (inout DatabaseMigrator) -> Void) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: Journal.storeConfiguration())
        var migrator = DatabaseMigrator()
        Journal.registerMigrations(&migrator)
        Consumer.registerMigrations(&migrator)
        CommandOutcome.registerMigrations(&migrator)
        StaffRoles.registerMigrations(&migrator)
        migrations(&migrator)
        try migrator.migrate(pool)
        return pool
    }
}
