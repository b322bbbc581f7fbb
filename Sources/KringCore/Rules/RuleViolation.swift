/// The stable codes of every rule and input check. Clients match on these; they never change
/// meaning. `docs/rules.md` lists each with its default and its sentence.
public enum RuleCode: String, Sendable, CaseIterable, Codable {
    case ledgerUnbalanced = "ledger.unbalanced"
    case limitFloor = "limit.floor"
    case limitCeiling = "limit.ceiling"
    case ruleSelf = "rule.self"
    case ruleQuantum = "rule.quantum"
    case ruleMaxExchange = "rule.max_exchange"
    case ruleEqualTime = "rule.equal_time"
    case rulePairCap = "rule.pair_cap"
    case ruleInactive = "rule.inactive"
    case ruleDate = "rule.date"
    case rulePool = "rule.pool"
    case ruleIdempotency = "rule.idempotency"
    case ruleReversal = "rule.reversal"
    case ruleForbidden = "rule.forbidden"
    case memberNotFound = "member.not_found"
    case memberExists = "member.exists"
    case memberStatus = "member.status"
    case exchangeNotFound = "exchange.not_found"
    case exchangeState = "exchange.state"
    case exchangeNotParty = "exchange.not_party"
    case listingNotFound = "listing.not_found"
    case listingState = "listing.state"
    case loanNotFound = "loan.not_found"
    case loanState = "loan.state"
    case spaceHours = "space.hours"
    case spaceCapacity = "space.capacity"
    case bookingNotFound = "booking.not_found"
    case bookingState = "booking.state"
    case challengeNotFound = "challenge.not_found"
    case challengeState = "challenge.state"
    case tokenNotFound = "token.not_found"
    case inputInvalid = "input.invalid"
    case inputText = "input.text"
    case inputGroup = "input.group"
    case inputDomain = "input.domain"
    case inputAmount = "input.amount"
    case inputPolicy = "input.policy"
}

/// A refused command: a stable code and a sentence that names the numbers. The CLI and the
/// HTTP API print the sentence as it is.
public struct RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code, e.g. `limit.floor`.
    public let code: RuleCode
    /// The sentence for people, e.g. "Posting 3 h would take an-peeters to -21 h, below the floor of -20 h."
    public let message: String

    /// A violation of `code`, explained by `message`.
    public init(_ code: RuleCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// A soft warning returned with a successful command.
public struct Warning: Sendable, Equatable, CustomStringConvertible {
    public let code: WarningCode
    /// The sentence with the numbers.
    public let message: String

    public init(code: WarningCode, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Why the decider did not decide: a rule said no, or the ledger could not be read. A decision
/// is never taken on a read that failed: every read of `LedgerView` throws this, and the
/// failure reaches whoever asked (the store fails the command as a storage error).
public enum Refusal: Error, Sendable, CustomStringConvertible {
    case rule(RuleViolation)
    /// A read of the ledger failed; `underlying` is the store's error.
    case unreadable(any Error & Sendable)

    /// A rule's refusal: `throw .violation(.limitFloor, "…")` reads like the rule it states.
    public static func violation(_ code: RuleCode, _ message: String) -> Refusal { .rule(RuleViolation(code, message)) }

    public var description: String {
        switch self {
        case .rule(let v): return v.description
        case .unreadable(let e): return "the ledger could not be read: \(e)"
        }
    }
}
