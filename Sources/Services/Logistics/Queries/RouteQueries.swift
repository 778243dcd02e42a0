import BusCore
import Contracts
import GRDB
import ServiceKit

/// Routes and whether they are at risk. Whether a route is at risk comes from intelligence's
/// alerts, so it is information of their label: staff see the routes as logistics holds them;
/// a partner sees a route at risk only through alerts (or their tearlines) released to it,
/// and the answer is labelled as what it was computed from.
enum RouteQueries {
    static func list(_ context: QueryContext) throws -> CommandResult {
        var input = try context.input([String: String].self)
        let (routes, label) = try visible(&input, context)
        return try CommandResult("logistics.routes.listed", ["routes": routes], label: label)
    }

    /// The routes layer, each marked at risk as the asker's list marks it.
    static func export(_ context: QueryContext) throws -> CommandResult {
        var input = try context.input([String: String].self)
        let format = try EntityExports.format(input.removeValue(forKey: "format"), offered: Route.formats)
        let (routes, label) = try visible(&input, context)
        return try EntityExports.answer(routes, format: format, labels: [label], service: "logistics", entity: "route", context)
    }

    /// Every route, at risk for a partner only through alerts (or tearlines) released to it,
    /// and the label of what that was computed from.
    private static func visible(_ input: inout [String: String], _ context: QueryContext) throws -> ([Route], Label) {
        for field in input.keys where field != "atRisk" {
            throw CommandError(.invalidCommand, "'\(field)' is not a filter here; filters: atRisk")
        }
        var routes = try Route.order(Column("route")).fetchAll(context.db)
        var label = Label(.unclassified, releasableTo: context.audience.partner.map { [$0] } ?? [])
        if context.audience.partner != nil {
            let visible = try AlertAreaReplica.active(in: context.db).compactMap { row in
                context.audience.visibleLabel(of: row).map { (row, $0) }
            }
            for index in routes.indices {
                let causes = visible.filter { routes[index].isCovered(by: $0.0) }
                routes[index].atRisk = !causes.isEmpty
                for cause in causes { label = label.joined(with: cause.1) }
            }
        }
        if let wanted = input["atRisk"] { routes = routes.filter { String($0.atRisk) == wanted } }
        return (routes, label)
    }
}
