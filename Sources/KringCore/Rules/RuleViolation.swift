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
    case loginNotFound = "login.not_found"
    case inputInvalid = "input.invalid"
    case inputText = "input.text"
    case inputGroup = "input.group"
    case inputDomain = "input.domain"
    case inputAmount = "input.amount"
    case inputPolicy = "input.policy"
}

/// A refused command: a stable code, the input field it concerns when there is one, and why,
/// with its numbers as typed values (`Reason`). Each face renders the sentence in its
/// language; `message` is the English one the CLI and the API's `detail` print.
public struct RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code, e.g. `limit.floor`.
    public let code: RuleCode
    /// The input field the refusal concerns (`credits`, `date`), if one does.
    public let field: Field?
    /// Why, with the numbers.
    public let reason: Reason

    /// A violation of `code`, for `reason`, about `field`.
    public init(_ code: RuleCode, _ reason: Reason, field: Field? = nil) {
        self.code = code
        self.reason = reason
        self.field = field
    }

    /// The sentence in English, e.g. "Posting 3 h would take An Peeters to -21 h, below the floor of -20 h."
    public var message: String { reason.english }

    /// The sentence in `language`.
    public func sentence(in language: Language) -> String { reason.sentence(in: language) }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// A soft warning returned with a successful command.
public struct Warning: Sendable, Equatable, CustomStringConvertible {
    public let code: WarningCode
    /// Why, with the numbers.
    public let reason: Reason

    public init(code: WarningCode, reason: Reason) {
        self.code = code
        self.reason = reason
    }

    /// The sentence in English.
    public var message: String { reason.english }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Why the decider did not decide: a rule said no, or the ledger could not be read. A decision
/// is never taken on a read that failed: every read of `LedgerView` throws this, and the
/// failure reaches whoever asked (the store fails the command as a storage error).
public enum Refusal: Error, Sendable, CustomStringConvertible {
    case rule(RuleViolation)
    /// A read of the ledger failed; `underlying` is the store's error.
    case unreadable(any Error & Sendable)

    /// A rule's refusal: `throw .violation(.limitFloor, .belowFloor(…), field: .credits)` reads
    /// like the rule it states.
    public static func violation(_ code: RuleCode, _ reason: Reason, field: Field? = nil) -> Refusal {
        .rule(RuleViolation(code, reason, field: field))
    }

    public var description: String {
        switch self {
        case .rule(let v): return v.description
        case .unreadable(let e): return "the ledger could not be read: \(e)"
        }
    }
}
