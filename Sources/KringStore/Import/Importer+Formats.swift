import Foundation
import KringCore

/// A source file as the import reads it: its name, SHA-256 and rows.
public struct ImportFile: Sendable {
    public let name: String
    public let sha256: String
    public let rows: [(line: Int, fields: [String])]

    public init(name: String, data: Data) throws(ImportProblem) {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportProblem(file: name, line: 1, code: .inputInvalid, sentence: "\(name) is not UTF-8 text.")
        }
        self.name = name
        sha256 = ImportReader.sha256(data)
        rows = CSVReader.rows(text)
    }

    /// Whether the first row is a header (a word in the first column) rather than data (a number).
    public var hasHeader: Bool { rows.first.map { Int64($0.fields[0].trimmingCharacters(in: .whitespaces)) == nil } ?? false }

    func field(_ row: (line: Int, fields: [String]), _ i: Int) -> String {
        i < row.fields.count ? row.fields[i].trimmingCharacters(in: .whitespaces) : ""
    }

    func problem(_ line: Int, _ sentence: String, _ code: RuleCode = .inputInvalid) -> ImportProblem {
        ImportProblem(file: name, line: line, code: code, sentence: sentence)
    }
}

extension ImportReader {
    /// What a member of the source becomes, and when they join.
    struct SourceMember {
        var id: MemberID
        var name: String
        var kind: MemberKind
        var neighbourhood: String?
        var joined: Int64?
        var line: Int
        var file: String
    }

    /// An exchange of the source.
    struct SourceExchange {
        var at: Int64
        var draft: ExchangeDraft
        var file: ImportFile
        var line: Int
    }

    /// Puts members, listings and exchanges in time order; a member joins at their join date
    /// or their first entry, whichever is earlier.
    func plan(members: [SourceMember], exchanges: [SourceExchange], listings: [(at: Int64, draft: ListingDraft, file: String, line: Int)],
              problems: [ImportProblem], leftOut: [String]) -> ImportPlan {
        var first = [MemberID: Int64]()
        for x in exchanges { for m in x.draft.providers + x.draft.receivers { first[m] = min(first[m] ?? x.at, x.at) } }
        for l in listings { first[l.draft.author] = min(first[l.draft.author] ?? l.at, l.at) }
        // With no date at all (members and nothing else), members join now.
        let earliest = (exchanges.map(\.at) + listings.map(\.at) + members.compactMap(\.joined)).min() ?? Int64(Date().timeIntervalSince1970)
        var plan = ImportPlan()
        plan.problems = problems
        plan.leftOut = leftOut
        for m in members {
            let at = [m.joined, first[m.id]].compactMap { $0 }.min() ?? earliest
            plan.steps.append(.init(at: at, command: .addMember(MemberDraft(id: m.id, name: m.name, kind: m.kind, neighbourhood: m.neighbourhood)),
                                    actor: .coordinator, file: m.file, line: m.line))
        }
        for l in listings {
            plan.steps.append(.init(at: l.at, command: .postListing(l.draft), actor: .member(l.draft.author), file: l.file, line: l.line))
        }
        for x in exchanges {
            plan.steps.append(.init(at: x.at, command: .importExchange(x.draft, source: x.file.sha256, row: Int64(x.line)), actor: .coordinator,
                                    file: x.file.name, line: x.line))
        }
        // Time order; at one time members first, then listings, then exchanges, each in file order.
        func rank(_ c: Command) -> Int { if case .addMember = c { return 0 }; if case .postListing = c { return 1 }; return 2 }
        plan.steps = plan.steps.enumerated().sorted { a, b in
            (a.element.at, rank(a.element.command), a.offset) < (b.element.at, rank(b.element.command), b.offset)
        }.map(\.element)
        plan.members = members.count
        plan.exchanges = exchanges.count
        plan.listings = listings.count
        return plan
    }

    // MARK: - TimeOverflow

    /// TimeOverflow, in the form its members file has: the report downloads (a header row) or
    /// the admin upload files (none).
    public func timeOverflow(members: ImportFile, transfers: ImportFile, offers: ImportFile?, inquiries: ImportFile?, adminPosts: ImportFile?) -> ImportPlan {
        var problems = [ImportProblem]()
        var handles = Handles()
        var byUID = [String: MemberID]()
        var sourceMembers = [SourceMember]()
        var expected = [(member: MemberID, minutes: Int64, file: String, line: Int)]()
        let report = members.hasHeader
        let leftOut = report ? ["email", "phone", "alt_phone", "last_sign_in_at", "locale"] : ["gender", "date_of_birth", "phone", "alt_phone", "email"]
        for row in members.rows.dropFirst(report ? 1 : 0) {
            let uid = members.field(row, 0)
            guard Int64(uid) != nil else { problems.append(members.problem(row.line, "The first column is a member_uid, a number, not \(uid.prefix(20)).")); continue }
            guard byUID[uid] == nil else { problems.append(members.problem(row.line, "member_uid \(uid) comes twice.")); continue }
            let name: String, joined: String
            if report {
                name = members.field(row, 1); joined = members.field(row, 5)
                byUID[uid] = handles.id(name: name, uid: uid)
                // A balance that cannot be read is reported; the member is imported all the same.
                let seconds = members.field(row, 8)
                if let s = Int64(seconds), s % 60 == 0 {
                    expected.append((byUID[uid]!, s / 60, members.name, row.line))
                } else if let s = Int64(seconds) {
                    problems.append(members.problem(row.line, "A balance of \(s) seconds is not a whole number of minutes.", .ruleQuantum))
                } else {
                    problems.append(members.problem(row.line, "The balance column is in seconds, a whole number, not \(seconds.prefix(20))."))
                }
            } else {
                name = [2, 3, 4].map { members.field(row, $0) }.filter { !$0.isEmpty }.joined(separator: " ")
                joined = members.field(row, 1)
                byUID[uid] = handles.id(name: name, uid: uid)
            }
            let at = joined.isEmpty ? nil : instant(joined)
            if !joined.isEmpty && at == nil { problems.append(members.problem(row.line, "\(joined.prefix(30)) is not a date.")); continue }
            sourceMembers.append(SourceMember(id: byUID[uid]!, name: name.isEmpty ? "Member \(uid)" : name, kind: .person, joined: at, line: row.line, file: members.name))
        }
        let organization = mapping.organization
        var usesOrganization = false, usesDeleted = false, organizationName = "TimeOverflow"
        let deleted = MemberID(canonical: "former-members")!
        var exchanges = [SourceExchange]()
        func party(_ text: String, _ line: Int) -> MemberID? {
            if let open = text.lastIndex(of: "("), text.hasSuffix(")") {
                let uid = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingCharacters(in: .whitespaces)
                if let m = byUID[uid] { return m }
                problems.append(transfers.problem(line, "No member has member_uid \(uid.prefix(20)) in the members file.", .memberNotFound))
                return nil
            }
            if mapping.deleted.contains(text.folded) { usesDeleted = true; return deleted }
            if !usesOrganization, !text.isEmpty { organizationName = String(text.prefix(Decider.maxTitleLength)) }
            usesOrganization = true
            return organization
        }
        for row in transfers.rows.dropFirst(transfers.hasHeader ? 1 : 0) {
            var from: MemberID?, to: MemberID?, minutes: Int64?, at: Int64?, what = "", postDomain = mapping.otherDomain
            if report {
                at = instant(transfers.field(row, 0))
                from = party(transfers.field(row, 1), row.line); to = party(transfers.field(row, 2), row.line)
                what = transfers.field(row, 3)
                minutes = Minutes.parse(transfers.field(row, 4)).map(\.value)
                if minutes == nil { problems.append(transfers.problem(row.line, "A quantity reads h:mm, like 1:30, not \(transfers.field(row, 4).prefix(20))."))  }
            } else {
                func account(_ id: Int, _ type: Int) -> MemberID? {
                    let t = transfers.field(row, type).lowercased()
                    if t == "organization" { usesOrganization = true; return organization }
                    guard let m = byUID[transfers.field(row, id)] else {
                        problems.append(transfers.problem(row.line, "No member has member_uid \(transfers.field(row, id).prefix(20)) in the members file.", .memberNotFound))
                        return nil
                    }
                    return m
                }
                from = account(0, 1); to = account(2, 3)
                if let s = Int64(transfers.field(row, 4)) {
                    if s % 60 != 0 { problems.append(transfers.problem(row.line, "\(s) seconds is not a whole number of minutes.", .ruleQuantum)) } else { minutes = s / 60 }
                } else { problems.append(transfers.problem(row.line, "The amount is in seconds, a whole number, not \(transfers.field(row, 4).prefix(20)).")) }
                at = instant(transfers.field(row, 5))
                what = transfers.field(row, 6)
            }
            if at == nil { problems.append(transfers.problem(row.line, "\(transfers.field(row, report ? 0 : 5).prefix(30)) is not a date.")) }
            guard let from, let to, let minutes, let at else { continue }
            if what.isEmpty { what = "TimeOverflow" }
            postDomain = mapping.otherDomain
            // The destination gave the time and gains it: the provider; the source received it.
            exchanges.append(SourceExchange(at: at, draft: ExchangeDraft(providers: [to], receivers: [from], kind: .time, domain: postDomain,
                                                                         what: String(what.prefix(Decider.maxTextLength)), credits: Minutes(minutes),
                                                                         date: policy.day(at)), file: transfers, line: row.line))
        }
        if usesOrganization {
            sourceMembers.append(SourceMember(id: organization, name: organizationName, kind: .municipality, joined: nil, line: 1, file: transfers.name))
        }
        if usesDeleted {
            sourceMembers.append(SourceMember(id: deleted, name: "Former members", kind: .initiative, joined: nil, line: 1, file: transfers.name))
        }
        var listings = [(at: Int64, draft: ListingDraft, file: String, line: Int)]()
        for (file, side) in [(offers, ListingSide.offer), (inquiries, .request)] {
            guard let file else { continue }
            var category = ""
            for row in file.rows.dropFirst(file.hasHeader ? 1 : 0) {
                if file.field(row, 0).isEmpty, !file.field(row, 1).isEmpty, (2...4).allSatisfy({ file.field(row, $0).isEmpty }) {
                    category = file.field(row, 1)
                    continue
                }
                let user = file.field(row, 3)
                guard let open = user.lastIndex(of: "("), user.hasSuffix(")"),
                      let author = byUID[String(user[user.index(after: open)..<user.index(before: user.endIndex)])] else {
                    problems.append(file.problem(row.line, "The user column reads Name (member_uid) of a member of the members file, not \(user.prefix(40)).", .memberNotFound))
                    continue
                }
                guard let at = instant(file.field(row, 4)) else { problems.append(file.problem(row.line, "\(file.field(row, 4).prefix(30)) is not a date.")); continue }
                let title = String(file.field(row, 1).prefix(Decider.maxTitleLength))
                listings.append((at, ListingDraft(side: side, author: author, kind: .time, domain: mapping.domain(for: category), title: title,
                                                  text: String(file.field(row, 2).prefix(Decider.maxTextLength))), file.name, row.line))
            }
        }
        if let adminPosts {
            problems.append(adminPosts.problem(1, "TimeOverflow's admin posts file names its authors by an internal user_id the members file does not carry; import posts from the report downloads (--posts offers=FILE --posts inquiries=FILE)."))
        }
        var plan = plan(members: sourceMembers, exchanges: exchanges, listings: listings, problems: problems, leftOut: leftOut)
        plan.expected = expected
        return plan
    }

    // MARK: - Generic CSV

    /// The documented generic CSV (docs/import.md): members and exchanges, each with a header row.
    public func generic(members: ImportFile, exchanges: ImportFile) -> ImportPlan {
        var problems = [ImportProblem]()
        var sourceMembers = [SourceMember](), known = Set<MemberID>()
        for row in members.rows.dropFirst() {
            let idText = members.field(row, 0)
            guard let id = MemberID(canonical: idText), !id.isReserved, id != poolID else {
                problems.append(members.problem(row.line, "A member id is lower case letters, digits and dashes, like an-peeters, not \(idText.prefix(40)).")); continue
            }
            guard known.insert(id).inserted else { problems.append(members.problem(row.line, "\(id) comes twice.", .memberExists)); continue }
            guard let kind = MemberKind(rawValue: members.field(row, 2).lowercased()), kind != .pool else {
                problems.append(members.problem(row.line, "A kind is person, company, association, initiative or municipality, not \(members.field(row, 2).prefix(20)).")); continue
            }
            let hood = members.field(row, 3)
            sourceMembers.append(SourceMember(id: id, name: members.field(row, 1), kind: kind, neighbourhood: hood.isEmpty ? nil : hood, joined: nil, line: row.line, file: members.name))
        }
        var list = [SourceExchange]()
        for row in exchanges.rows.dropFirst() {
            guard let day = Day(iso: exchanges.field(row, 0)), let at = policy.instant(day, minute: 720) else {
                problems.append(exchanges.problem(row.line, "A date reads YYYY-MM-DD, not \(exchanges.field(row, 0).prefix(30)).")); continue
            }
            func ids(_ i: Int) -> [MemberID]? {
                let parts = exchanges.field(row, i).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                let found = parts.compactMap { MemberID(canonical: $0) }.filter(known.contains)
                guard !parts.isEmpty, found.count == parts.count else {
                    problems.append(exchanges.problem(row.line, "\(exchanges.field(row, i).prefix(60)) names no member of the members file.", .memberNotFound)); return nil
                }
                return found
            }
            guard let providers = ids(1), let receivers = ids(2) else { continue }
            guard let kind = ExchangeKind(rawValue: exchanges.field(row, 3).lowercased()) else {
                problems.append(exchanges.problem(row.line, "A kind is time, space or goods, not \(exchanges.field(row, 3).prefix(20)).")); continue
            }
            let domainText = exchanges.field(row, 4)
            let domain = policy.domains.contains(domainText) ? domainText : mapping.domain(for: domainText)
            guard let credits = ImportReader.hours(exchanges.field(row, 6)) else {
                problems.append(exchanges.problem(row.line, "Credits are hours, like 1.5 or 1:30, not \(exchanges.field(row, 6).prefix(20)).", .inputAmount)); continue
            }
            var quantity: Int64?
            let q = exchanges.field(row, 7), measure = exchanges.field(row, 8).lowercased()
            if kind != .time, !q.isEmpty {
                if kind == .space {
                    guard let m = (["h", "hours", "uur", "u"].contains(measure) || measure.isEmpty) ? ImportReader.hours(q) : nil else {
                        problems.append(exchanges.problem(row.line, "A space's quantity is hours of use (measure h), not \(q.prefix(20)) \(measure.prefix(10)).", .inputAmount)); continue
                    }
                    quantity = m.value
                } else {
                    guard let n = Int64(q), n > 0 else { problems.append(exchanges.problem(row.line, "A quantity of goods is a whole number of items, not \(q.prefix(20)).", .inputAmount)); continue }
                    quantity = n
                }
            }
            list.append(SourceExchange(at: at, draft: ExchangeDraft(providers: providers, receivers: receivers, kind: kind, domain: domain,
                                                                    what: exchanges.field(row, 5), credits: credits, quantity: quantity, date: day),
                                       file: exchanges, line: row.line))
        }
        return plan(members: sourceMembers, exchanges: list, listings: [], problems: problems, leftOut: [])
    }
}
