import BusCore

/// docs/authorization.md, written from the policies services declare beside their handlers
/// (`concord catalog` writes it; a test fails when the committed copy differs).
public enum AuthorizationDocument {
    /// `parts` are other parts that own message types (the gateway): their label rules are
    /// listed after the services'.
    public static func render(_ services: [any DomainService], parts: [(name: String, catalog: MessageCatalog)] = []) -> String {
        var text = """
            # Who may do what

            Written by `concord catalog` from the policies each service declares beside its handlers;
            do not edit by hand. The intake checks a command's or query's policy once, before its
            handler runs (docs/security.md says how). A sender is a member of the mission's staff
            (`operator/<name>`, with the roles the registry gave them), a partner (`partner/<code>`,
            stamped by the gateway), or nobody the policies know (refused).

            - **Staff roles**: \(MissionRole.allCases.map { "`\($0.rawValue)` (\($0.title))" }.joined(separator: ", ")).
            - **A partner naming itself as `field`**: the command names the partner in that field, and
              a partner may name only itself (anything else is `forbidden`).
            - **The entity's relation**: the partner must stand in it to the entity the command names;
              for any other partner the entity does not exist (`not_found`, as for a missing key).
            - **Answered with … only**: any partner may ask; the answer holds only what concerns it
              and what its label releases to it at its clearance.

            Each service's events and answers follow, with how each one's label is computed (declared
            beside the type in its catalog). A partner receives one only when its code is among the
            label's partners and its clearance is at least the label's classification.


            """
        for service in services {
            text += "## \(service.name)\n\n| type | may be sent by |\n| --- | --- |\n"
            let rows = service.commands.map { ($0.key, $0.value.policy) } + service.queries.map { ($0.key, $0.value.policy) }
            for (type, policy) in rows.sorted(by: { $0.0 < $1.0 }) {
                text += "| `\(type)` | \(policy.summary) |\n"
            }
            text += labels(service.catalog.types.values.filter { $0.name.hasPrefix("\(service.name).") })
        }
        for part in parts {
            text += "## \(part.name)\n\nMessages the \(part.name) makes itself, or carries for partners (`partner.*`).\n"
            text += labels(Array(part.catalog.types.values))
        }
        return text
    }

    private static func labels(_ types: [MessageType]) -> String {
        var text = "\n| event or answer | label |\n| --- | --- |\n"
        for type in types.sorted(by: { $0.name < $1.name }) {
            text += "| `\(type.name)` | \(type.labelRule ?? "**not declared**") |\n"
        }
        return text + "\n"
    }
}
