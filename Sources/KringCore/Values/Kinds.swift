/// Who a member is. The pool is the solidarity pool: exactly one, created at `init`.
public enum MemberKind: String, Sendable, CaseIterable, Codable {
    case person, company, association, initiative, municipality, pool

    /// Kinds a coordinator may register (the pool exists once, from genesis).
    public static let registrable: [MemberKind] = [.person, .company, .association, .initiative, .municipality]
}

/// Whether a member may transact.
public enum MemberStatus: String, Sendable, CaseIterable, Codable {
    case active, suspended, left
}

/// What flows in an exchange.
public enum ExchangeKind: String, Sendable, CaseIterable, Codable {
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
public enum ExchangeState: String, Sendable, CaseIterable, Codable {
    case proposed, confirmed, rejected, cancelled, expired, reversed
}

/// Who issues a command. The coordinator acts for anyone; a member only for themself; the
/// system only expires due proposals.
public enum Actor: Sendable, Equatable {
    case coordinator
    case member(String)
    case system

    /// A short name for the journal (`coordinator`, `system`, or the member id).
    public var name: String {
        switch self {
        case .coordinator: return "coordinator"
        case .system: return "system"
        case .member(let id): return id
        }
    }
}

/// The solidarity pool's member id.
public let poolID = "pool"
