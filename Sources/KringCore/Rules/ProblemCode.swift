/// The codes the faces answer with for what never reaches the core: a request that is not
/// HTTP, input that is not well-formed JSON, a failed store. With `RuleCode` they are every
/// code a client can see; `docs/rules.md` lists them all.
public enum FaceCode: String, Sendable, CaseIterable {
    case httpMalformed = "http.malformed"
    case httpHeaderTooLarge = "http.header_too_large"
    case httpTooLarge = "http.too_large"
    case httpLengthRequired = "http.length_required"
    case httpNotImplemented = "http.not_implemented"
    case httpVersion = "http.version"
    case httpTimeout = "http.timeout"
    case httpNotFound = "http.not_found"
    case httpMethod = "http.method"
    case httpMediaType = "http.media_type"
    case httpNotAcceptable = "http.not_acceptable"
    case httpUnauthorized = "http.unauthorized"
    case httpOverloaded = "http.overloaded"
    case httpStopping = "http.stopping"
    case inputJSON = "input.json"
    case inputIdempotencyKey = "input.idempotency_key"
    case storageError = "storage.error"
}

/// A code a face answers with: a rule's, or the face's own.
public enum ProblemCode: Hashable, Sendable, CustomStringConvertible {
    case rule(RuleCode)
    case face(FaceCode)

    /// The stable text clients match on (`limit.floor`, `http.malformed`).
    public var rawValue: String {
        switch self {
        case .rule(let r): return r.rawValue
        case .face(let f): return f.rawValue
        }
    }

    public var description: String { rawValue }

    /// Every code there is.
    public static var allCases: [ProblemCode] { RuleCode.allCases.map(ProblemCode.rule) + FaceCode.allCases.map(ProblemCode.face) }
}

/// The codes of soft warnings returned with a successful command.
public enum WarningCode: String, Sendable, CaseIterable {
    case nearFloor = "warn.near_floor"
    case nearCeiling = "warn.near_ceiling"
}
