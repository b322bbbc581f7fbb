import Foundation
import KringCore
import KringStore

/// Registering members, their status and their limits.
let memberCommands: [CommandSpec] = [
    CommandSpec(path: "member add", summary: "register a member (coordinator)",
                usage: "kring member add ID --name NAME --kind person|company|association|initiative|municipality [--neighbourhood N] [--domains a,b]",
                options: ["name", "kind", "neighbourhood", "domains"], flags: ["json"], required: ["name", "kind"], positionals: 1...1) { inv in
        guard let kind = MemberKind(rawValue: inv.required("kind")), kind != .pool else {
            throw ArgumentError(.inputInvalid, "--kind is one of \(MemberKind.registrable.map(\.rawValue).joined(separator: ", ")), not \(inv.required("kind")).")
        }
        let domains = inv.option("domains").map { $0.split(separator: ",").map { String($0).trimmedSpaces } } ?? []
        let d = MemberDraft(id: try inv.positionalID(0, MemberID.self, "ID"), name: inv.required("name"), kind: kind, neighbourhood: inv.option("neighbourhood"), domains: domains)
        return try perform(inv, .addMember(d)) { _ in "Added \(d.id) (\(kind.rawValue))." }
    },
    CommandSpec(path: "member list", summary: "list members with their balances", usage: "kring member list [--kind K] [--status S] [--json]",
                options: ["kind", "status"], flags: ["json"]) { inv in
        let kind = try inv.option("kind").map { k throws -> MemberKind in
            guard let v = MemberKind(rawValue: k) else { throw ArgumentError(.inputInvalid, "--kind \(k) is not a member kind.") }
            return v
        }
        let status = try inv.option("status").map { s throws -> MemberStatus in
            guard let v = MemberStatus(rawValue: s) else { throw ArgumentError(.inputInvalid, "--status is active, suspended or left, not \(s).") }
            return v
        }
        let rows = try openReader(inv).members(kind: kind, status: status)
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(memberLine($0)) } }
        return 0
    },
    CommandSpec(path: "member show", summary: "show one member", usage: "kring member show ID [--json]", flags: ["json"], positionals: 1...1) { inv in
        guard let r = try openReader(inv).member(try inv.positionalID(0, MemberID.self, "ID")) else { throw ArgumentError(.memberNotFound, "There is no member \(inv.positionals[0]).") }
        if inv.json { out(r.json.canonicalString); return 0 }
        let i = r.state.info
        out("\(i.name) (\(i.id)), \(i.kind.rawValue), \(r.state.status.rawValue)")
        out("  neighbourhood: \(i.neighbourhood ?? "-")   domains: \(i.domains.isEmpty ? "-" : i.domains.joined(separator: ", "))   joined \(i.joined)")
        out("  balance \(r.state.balance)   floor \(r.floor)   ceiling \(r.ceiling.map(\.description) ?? "none")   given \(r.state.given)")
        return 0
    },
    CommandSpec(path: "member suspend", summary: "suspend a member (coordinator)", usage: "kring member suspend ID", flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .suspend(try inv.positionalID(0, MemberID.self, "ID"))) { _ in "Suspended \(inv.positionals[0])." }
    },
    CommandSpec(path: "member reinstate", summary: "reinstate a suspended member (coordinator)", usage: "kring member reinstate ID", flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .reinstate(try inv.positionalID(0, MemberID.self, "ID"))) { _ in "Reinstated \(inv.positionals[0])." }
    },
    CommandSpec(path: "member leave", summary: "end a membership, settling the balance against the pool", usage: "kring member leave ID", flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .leave(try inv.positionalID(0, MemberID.self, "ID"))) { o in
            guard case .memberLeft(let e) = o.event else { return "" }
            let settled = e.settlement.map { $0.from == poolID ? "the pool settled a debt of \($0.minutes)" : "\($0.minutes) went to the pool" } ?? "the balance was zero"
            return "\(inv.positionals[0]) left; \(settled); \(e.cancelled.count) open proposal(s) cancelled."
        }
    },
    CommandSpec(path: "member limits", summary: "show or override a member's floor and ceiling (coordinator)",
                usage: "kring member limits ID [--floor H|default] [--ceiling H|default] [--json]",
                options: ["floor", "ceiling"], flags: ["json"], positionals: 1...1) { inv in
        let id = try inv.positionalID(0, MemberID.self, "ID")
        if inv.option("floor") == nil && inv.option("ceiling") == nil {
            guard let r = try openReader(inv).member(id) else { throw ArgumentError(.memberNotFound, "There is no member \(id).") }
            if inv.json {
                out(JSON.object(["member": .id(id), "floor_minutes": .int(r.floor.value), "ceiling_minutes": r.ceiling.map { .int($0.value) } ?? .null,
                                 "floor_override": r.state.floorOverride.map { .int($0.value) } ?? .null,
                                 "ceiling_override": r.state.ceilingOverride.map { .int($0.value) } ?? .null]).canonicalString)
            } else {
                out("\(id): floor \(r.floor)\(r.state.floorOverride == nil ? " (policy)" : " (override)"), ceiling \(r.ceiling.map(\.description) ?? "none")\(r.state.ceilingOverride == nil ? " (policy)" : " (override)")")
            }
            return 0
        }
        let floor: LimitChange = inv.option("floor") == "default" ? .clear : (try inv.signedAmount("floor")).map { .set($0) } ?? .keep
        let ceiling: LimitChange = inv.option("ceiling") == "default" ? .clear : (try inv.amount("ceiling")).map { .set($0) } ?? .keep
        return try perform(inv, .setLimits(id, floor: floor, ceiling: ceiling)) { _ in "Limits of \(id) updated." }
    },
]
