/// An HTTP/1.1 request as the parser hands it over: method, target split into path and query,
/// headers with lower-cased names, and the body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent (origin form: path and query).
    public var target: String
    /// The path, percent-decoded segment by segment by the router.
    public var path: String
    /// The raw query string after `?`, if any.
    public var query: String?
    public var minorVersion: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Who sent it: the peer's address, or behind a trusted proxy the address that proxy
    /// appended to `X-Forwarded-For`. The server sets it; per-address limits and the access
    /// log use it.
    public var clientAddress = ""

    public init(method: String, target: String, minorVersion: Int = 1, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        // The `?` byte, not the character: searching characters walks grapheme clusters.
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = target
            query = nil
        }
    }

    /// The first value of header `name` (lower case).
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// Whether the connection stays open after this request (HTTP/1.1 unless `close`;
    /// HTTP/1.0 only with `keep-alive`).
    public var keepAlive: Bool {
        let tokens = headers.filter { $0.name == "connection" }.flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// The query's parameters, percent-decoded (`+` is a space). Nil when the query is not
    /// valid percent-encoded UTF-8.
    public var queryItems: [(name: String, value: String)]? {
        guard let query, !query.isEmpty else { return [] }
        var out = [(String, String)]()
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusIsSpace: true),
                  let value = PercentDecoding.decode(parts.count > 1 ? parts[1] : "", plusIsSpace: true) else { return nil }
            out.append((name, value))
        }
        return out
    }
}

import Foundation

/// An HTTP response: status, headers and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Who sent it: the peer's address, or behind a trusted proxy the address that proxy
    /// appended to `X-Forwarded-For`. The server sets it; per-address limits and the access
    /// log use it.
    public var clientAddress = ""
    /// Close the connection after sending (errors that leave the stream unreadable).
    public var close: Bool

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], close: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.close = close
    }

    /// A JSON response.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// A plain-text response.
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    /// The bytes on the wire; `head` is true for a HEAD request (no body, same length).
    public func serialized(keepAlive: Bool, head: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128 + body.count)
        out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPResponse.reason(status))\r\n".utf8)
        for h in headers {
            out.append(contentsOf: h.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: h.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        if !keepAlive || close { out.append(contentsOf: "Connection: close\r\n".utf8) }
        out.append(contentsOf: "\r\n".utf8)
        if !head { out.append(contentsOf: body) }
        return out
    }

    /// The reason phrase of `status`.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 410: "Gone"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

/// Percent-encoding of a query part (RFC 3986): every byte but the unreserved characters
/// becomes `%XX`.
public enum PercentEncoding {
    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 48...57, 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// Percent-decoding of path segments and query parts (RFC 3986), refusing malformed escapes
/// and invalid UTF-8.
public enum PercentDecoding {
    public static func decode(_ s: Substring, plusIsSpace: Bool = false) -> String? {
        // Nothing to decode (most path segments): the text as it is, which is valid UTF-8.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) { return String(s) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hex(h), let lv = hex(l) else { return nil }
                bytes.append(hv << 4 | lv)
            } else if plusIsSpace && c == UInt8(ascii: "+") {
                bytes.append(32)
            } else {
                bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
