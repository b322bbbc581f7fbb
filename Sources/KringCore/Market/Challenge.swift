/// A local problem posted for co-creation: the municipality or an association names it, with its
/// policy domains and an end date; members of every kind join and pledge time, space or goods.
public struct ChallengeInfo: Sendable, Equatable {
    public var id: ChallengeID
    public var author: MemberID
    public var title: String
    public var text: String
    public var domains: [String]
    public var ends: Day

    public init(id: ChallengeID, author: MemberID, title: String, text: String, domains: [String], ends: Day) {
        self.id = id
        self.author = author
        self.title = title
        self.text = text
        self.domains = domains
        self.ends = ends
    }

    public var json: JSON {
        .object(["id": .string(id.description), "author": .string(author.description), "title": .string(title), "text": .string(text),
                 "domains": .array(domains.map(JSON.string)), "ends": .string(ends.description)])
    }

    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["author", "domains", "ends", "id", "text", "title"]), let id = ids.id(j["id"], ChallengeID.self),
              let author = ids.id(j["author"], MemberID.self), let title = j["title"]?.stringValue,
              let text = j["text"]?.stringValue, let domains = j["domains"]?.stringsValue,
              let ends = j["ends"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
        self.init(id: id, author: author, title: title, text: text, domains: domains, ends: ends)
    }
}

/// Time, space or goods a member promises to a challenge.
public struct Pledge: Sendable, Equatable {
    public var challenge: ChallengeID
    public var member: MemberID
    public var kind: ExchangeKind
    public var what: String

    public init(challenge: ChallengeID, member: MemberID, kind: ExchangeKind, what: String) {
        self.challenge = challenge
        self.member = member
        self.kind = kind
        self.what = what
    }

    public var json: JSON {
        .object(["challenge": .string(challenge.description), "member": .string(member.description), "kind": .string(kind.rawValue), "what": .string(what)])
    }

    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["challenge", "kind", "member", "what"]), let c = ids.id(j["challenge"], ChallengeID.self),
              let m = ids.id(j["member"], MemberID.self),
              let k = j["kind"]?.stringValue.flatMap(ExchangeKind.init), let w = j["what"]?.stringValue else { return nil }
        self.init(challenge: c, member: m, kind: k, what: w)
    }
}

/// A challenge with who joined and whether it is closed.
public struct ChallengeRecord: Sendable, Equatable {
    public var info: ChallengeInfo
    public var members: [MemberID]
    public var closed: Bool

    public init(info: ChallengeInfo, members: [MemberID] = [], closed: Bool = false) {
        self.info = info
        self.members = members
        self.closed = closed
    }

    /// Open to joining, pledging and linking on `day`.
    public func isOpen(on day: Day) -> Bool { !closed && info.ends >= day }
}

extension Decider {
    /// Longest a challenge runs.
    public static let maxChallengeDays: Int64 = 730

    static func decideChallenge(_ command: Command, by actor: Actor, in view: some LedgerView, today: Day) throws(Refusal) -> Decision {
        switch command {
        case .postChallenge(let author, let title, let text, let domains, let ends):
            guard actor.isCoordinator || actor.isMember(author) else { throw .violation(.ruleForbidden, .onlySelfPostsChallenge(author)) }
            let m = try member(author, in: view)
            guard m.info.kind == .municipality || m.info.kind == .association else {
                throw .violation(.ruleForbidden, .challengeAuthorKind(author, m.info.kind))
            }
            try requireActive(m)
            try validateText(title, .title, max: maxTitleLength)
            if !text.isEmpty { try validateText(text, .text, max: maxListingText) }
            guard !domains.isEmpty, Set(domains).count == domains.count else { throw .violation(.inputDomain, .challengeDomains, field: .domains) }
            for d in domains where !view.policy.domains.contains(d) {
                throw .violation(.inputDomain, .notADomain(d, domains: view.policy.domains), field: .domains)
            }
            guard ends >= today, ends <= today + maxChallengeDays else {
                throw .violation(.inputInvalid, .challengeEnds(today: today, most: maxChallengeDays, got: ends), field: .ends)
            }
            let info = ChallengeInfo(id: ChallengeID(uncheckedNumber: try view.nextChallengeNumber), author: author, title: title, text: text, domains: domains, ends: ends)
            return Decision(event: .challengePosted(ChallengePosted(challenge: info)))

        case .joinChallenge(let id, let who):
            guard actor.isCoordinator || actor.isMember(who) else { throw .violation(.ruleForbidden, .onlySelfJoins(who)) }
            let c = try openChallenge(id, in: view, today: today)
            try requireActive(try member(who, in: view))
            guard !c.members.contains(who) else { throw .violation(.challengeState, .alreadyJoined(who, id)) }
            return Decision(event: .challengeJoined(ChallengeJoined(id: id, member: who)))

        case .pledge(let p):
            guard actor.isCoordinator || actor.isMember(p.member) else { throw .violation(.ruleForbidden, .onlySelfPledges(p.member)) }
            let c = try openChallenge(p.challenge, in: view, today: today)
            guard c.members.contains(p.member) else { throw .violation(.challengeState, .joinBeforePledging(p.member, p.challenge)) }
            try requireActive(try member(p.member, in: view))
            try validateText(p.what, .what, max: maxTextLength)
            return Decision(event: .challengePledged(ChallengePledged(pledge: p)))

        case .closeChallenge(let id):
            guard let c = try view.challenge(id) else { throw .violation(.challengeNotFound, .notFound(.challenge(id))) }
            guard actor.isCoordinator || actor.isMember(c.info.author) else {
                throw .violation(.ruleForbidden, .onlyAuthorCloses(c.info.author, id))
            }
            guard !c.closed else { throw .violation(.challengeState, .challengeAlreadyClosed(id)) }
            return Decision(event: .challengeClosed(ChallengeClosed(id: id, by: actor)))

        default:
            preconditionFailure("decideChallenge handles challenge commands only")
        }
    }

    static func openChallenge(_ id: ChallengeID, in view: some LedgerView, today: Day) throws(Refusal) -> ChallengeRecord {
        guard let c = try view.challenge(id) else { throw .violation(.challengeNotFound, .notFound(.challenge(id))) }
        guard c.isOpen(on: today) else { throw .violation(.challengeState, .challengeNotOpen(id, closed: c.closed, ends: c.info.ends)) }
        return c
    }
}
