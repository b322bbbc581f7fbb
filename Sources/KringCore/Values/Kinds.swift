/// Who a member is. The pool is the solidarity pool: exactly one, created at `init`.
public enum MemberKind: String, Sendable, CaseIterable, Codable {
    case person, company, association, initiative, municipality, pool

    /// Kinds a coordinator may register (the pool exists once, from genesis).
    public static let registrable: [MemberKind] = [.person, .company, .association, .initiative, .municipality]

    /// Hashed by its case. The standard library's default for an enumeration with raw values
    /// hashes the raw text: a string's hashing on every lookup of the policy's limits by kind
    /// (each balance read, each decision). Equality is by case either way.
    public func hash(into hasher: inout Hasher) {
        let ordinal: UInt8 = switch self {
        case .person: 0
        case .company: 1
        case .association: 2
        case .initiative: 3
        case .municipality: 4
        case .pool: 5
        }
        hasher.combine(ordinal)
    }
}

/// Whether a member may transact.
public enum MemberStatus: String, Sendable, CaseIterable, Codable {
    case active, suspended, left
}

/// What flows in an exchange.
public enum ExchangeKind: String, Sendable, CaseIterable, Codable, BitwiseCopyable {
    case time, space, goods

    /// The measure of an exchange's quantity: minutes of work, minutes of room use, items.
    public var measure: String {
        switch self {
        case .time: return "minutes"
        case .space: return "minutes"
        case .goods: return "items"
        }
    }
}

/// Where an exchange is in its two-phase lifecycle.
public enum ExchangeState: String, Sendable, CaseIterable, Codable, BitwiseCopyable {
    case proposed, confirmed, rejected, cancelled, expired, reversed
}

/// Who issues a command, and who the journal says acted. The coordinator acts for anyone; a
/// member only for themself; the system only expires due proposals; `automatic` is the
/// policy's auto-confirmation at expiry, which is nobody's consent.
public enum Actor: Sendable, Hashable, CustomStringConvertible {
    /// A coordinator at the ledger file itself (the CLI, whoever holds the file).
    case coordinator
    /// A coordinator through an API token, named by the token's id (never its secret).
    case coordinatorToken(TokenID)
    /// A coordinator signed in to the web pages, named by the login's id.
    case coordinatorLogin(LoginID)
    case member(MemberID)
    case system
    case automatic

    /// Whether this actor has the coordinator's powers.
    public var isCoordinator: Bool {
        switch self {
        case .coordinator, .coordinatorToken, .coordinatorLogin: return true
        case .member, .system, .automatic: return false
        }
    }

    /// Whether this actor is `member` acting for themself.
    public func isMember(_ member: MemberID) -> Bool { self == .member(member) }

    /// The member acting, if a member acts.
    public var member: MemberID? {
        if case .member(let m) = self { return m }
        return nil
    }

    /// The journal's form: the member's handle, `coordinator`, `coordinator:tk-N` (a token),
    /// `coordinator:lg-N` (a web login), `system` or
    /// `auto`. A handle never contains a colon, and the reserved handles are never registered.
    public var description: String {
        switch self {
        case .coordinator: return "coordinator"
        case .coordinatorToken(let t): return "coordinator:\(t)"
        case .coordinatorLogin(let l): return "coordinator:\(l)"
        case .member(let m): return m.handle
        case .system: return "system"
        case .automatic: return "auto"
        }
    }

    /// Reads the journal's form; `legacy` also reads handles as versions before typed
    /// identities wrote them (a member registered as `auto` reads as the automatic actor, as
    /// those versions treated it).
    public init?(journal text: String) {
        switch text {
        case "coordinator": self = .coordinator
        case "system": self = .system
        case "auto": self = .automatic
        default:
            if text.hasPrefix("coordinator:") {
                let credential = text.dropFirst("coordinator:".count)
                if let t = TokenID(canonical: credential) { self = .coordinatorToken(t) } else if let l = LoginID(canonical: credential) {
                    self = .coordinatorLogin(l)
                } else { return nil }
            } else {
                guard let m = MemberID(canonical: text) else { return nil }
                self = .member(m)
            }
        }
    }
}
