import KringCore

/// RFC 9457 problem details: `type` (a URN naming the code), `title` (the status's reason),
/// `status`, `detail` (the rule's sentence, with its numbers) and the extension members `code`
/// (the stable code clients match on) and, for a rule's refusal about one input, `field` (its
/// name in the request).
public enum Problem {
    /// The problem type of `code`: `urn:kring:problem:limit.floor`. Stable, not dereferenceable;
    /// docs/rules.md and docs/openapi.yaml list the codes.
    public static func type(_ code: ProblemCode) -> String { "urn:kring:problem:\(code.rawValue)" }

    public static func body(status: Int, code: ProblemCode, detail: String, extra: [String: JSON] = [:]) -> [UInt8] {
        var fields: [String: JSON] = [
            "type": .string(type(code)), "title": .string(HTTPResponse.reason(status)), "status": .int(Int64(status)),
            "detail": .string(detail), "code": .string(code.rawValue),
        ]
        for (k, v) in extra { fields[k] = v }
        return JSON.object(fields).canonicalBytes
    }

    /// The answer for `code`. A request that could not be read as HTTP (`http.malformed`), a body
    /// too large (413) or a head too large (431) ends the connection: the bytes after it cannot be
    /// trusted to start the next request.
    public static func response(status: Int, code: ProblemCode, detail: String, extra: [String: JSON] = [:],
                                headers: [(name: String, value: String)] = [], close: Bool = false) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/problem+json")] + headers,
                     body: body(status: status, code: code, detail: detail, extra: extra),
                     close: close || code == .face(.httpMalformed) || status == 413 || status == 431)
    }
}
