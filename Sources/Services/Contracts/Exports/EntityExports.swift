import BusCore
import GRDB
import ServiceKit

/// `query.<service>.<entity>.export {"format": …, <filter>: value}`: the records a list query
/// would show the asker, all of them, as one layer in a standard format. The same rule as the
/// list decides what is in it (a partner gets only what the records' labels release to it),
/// and the answer is labelled as the list is. One addition for maps: an alert the asker may not
/// see is drawn as its tearline when the asker may see that (`Alert.disclosed`), labelled as
/// the tearline, so the layer's label joins the tearline's and not the alert's.
public enum EntityExports {
    /// Most records one export holds; beyond it the asker narrows it with filters.
    public static let maxRecords = 10_000

    public static func handlers<Record: Exportable & StatefulRecord>(_: Record.Type, service: String, filters: [String], roles: Set<MissionRole>) -> QueryTable {
        let entity = Record.lifecycle.entity
        let partners = Policy.PartnerRule.filtered(by: "the \(entity)s whose label releases them to it")
        return ["query.\(service).\(entity).export": Guarded(Policy(roles: roles, partners: partners)) { context in
            var input = try context.input([String: String].self)
            let format = try self.format(input.removeValue(forKey: "format"), offered: Record.formats)
            let request = try EntityQueries.filtered(Record.self, input, filters: filters, alsoTaken: ["format"])
            // Read row by row, so an export that would be too big stops at its bound.
            var records: [Record] = []
            let rows = try request.order(Column(Record.keyField)).fetchCursor(context.db)
            while let row = try rows.next() {
                guard let record = row.disclosed(to: context.audience, label: row.label) else { continue }
                guard records.count < maxRecords else {
                    throw CommandError(.invalidCommand, "more than \(maxRecords) \(entity)s match; an export holds at most \(maxRecords): narrow it with filters")
                }
                records.append(record)
            }
            return try answer(records, format: format, labels: records.map(\.label), service: service, entity: entity, context)
        }]
    }

    /// The answer to an export: the layer, labelled as a list of the same records is.
    public static func answer<Record: Exportable>(_ records: [Record], format: ExportFormat, labels: [Label], service: String, entity: String,
                                                  _ context: QueryContext) throws -> CommandResult {
        let level = labels.map(\.classification).max() ?? .unclassified
        return try CommandResult("\(service).\(entity)s.exported", export(records, format: format),
                                 label: Label(level, releasableTo: context.audience.partner.map { [$0] } ?? []))
    }

    /// The layer in `format`.
    public static func export<Record: Exportable>(_ records: [Record], format: ExportFormat) -> Export {
        switch format {
        case .geojson:
            return Export(layer: Record.layer, format: format, content: GeoJSONWriter.featureCollection(records.compactMap(\.feature)))
        case .kml:
            return Export(layer: Record.layer, format: format, content: KMLWriter.document(name: Record.layer, records.compactMap(\.feature)))
        case .hxl:
            var table = HXLTable(Record.hxlColumns ?? [])
            table.rows = records.flatMap(\.hxlRows)
            return Export(layer: Record.layer, format: format, content: table.csv)
        case .cap:
            return Export(layer: Record.layer, format: format, files: records.compactMap { record in
                record.capMessage.map { ExportFile(name: "\(Record.layer)-\(record.key).\(format.fileExtension)", mediaType: format.mediaType, content: $0) }
            })
        }
    }

    /// The format asked for, or why it cannot be.
    public static func format(_ text: String?, offered: [ExportFormat]) throws -> ExportFormat {
        let names = offered.map(\.rawValue).joined(separator: ", ")
        guard let text else { throw CommandError(.invalidCommand, "an export needs a format: \(names)") }
        guard let format = ExportFormat(rawValue: text), offered.contains(format) else {
            throw CommandError(.invalidCommand, "'\(text)' is not a format of this layer; formats: \(names)")
        }
        return format
    }

    /// The query and answer types, for a service's catalog.
    public static func messageTypes<Record: Exportable & StatefulRecord>(_: Record.Type, service: String) -> [MessageType] {
        messageTypes(Record.self, service: service, entity: Record.lifecycle.entity)
    }

    /// The query and answer types of `entity`'s export.
    public static func messageTypes<Record: Exportable>(_: Record.Type, service: String, entity: String) -> [MessageType] {
        let formats = Record.formats.map(\.rawValue).joined(separator: ", ")
        return [
            MessageType("query.\(service).\(entity).export", summary: "\(entity.capitalized)s as one layer in a standard format (\(formats)), filtered by field.",
                        data: [String: String].self),
            MessageType("\(service).\(entity)s.exported", summary: "Answer to query.\(service).\(entity).export.", data: Export.self)
                .labelled(Label.listRule),
        ]
    }
}
