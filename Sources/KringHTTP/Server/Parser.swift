import KringCore

/// The server's named limits. Every one has a default that `kring serve` documents.
public struct HTTPLimits: Sendable {
    /// Most bytes of a request line and its headers together (431 beyond).
    public var maxHeaderBytes = 16 * 1024
    /// Most header lines (431 beyond).
    public var maxHeaderCount = 100
    /// Most bytes of a body (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// Most bytes of the body of `POST /desk/import` (413 beyond): another time bank's files,
    /// uploaded at the coordinator's desk, are larger than any API body.
    public var maxUploadBytes = 16 << 20
    /// The one path whose body may be as large as `maxUploadBytes`.
    public static let uploadPath = "/desk/import"
    /// Seconds from a request's first byte until its headers are complete (408 after).
    public var headerTimeout: Double = 10
    /// Seconds to receive a body once its headers are in (408 after).
    public var bodyTimeout: Double = 30
    /// Seconds a kept-alive connection may sit idle between requests (closed after).
    public var idleTimeout: Double = 60
    /// Seconds a response may take to be taken up by a slow reader (closed after).
    public var sendTimeout: Double = 30
    /// Most open connections. At the cap a new connection takes the place of the connection
    /// idle longest (no request in flight); when none is idle it is answered 503 and closed.
    public var maxConnections = 512
    /// Most open connections from one client address (503 beyond), so one address cannot hold
    /// every slot. A trusted proxy's own address is exempt (the proxy bounds its connections).
    public var maxConnectionsPerAddress = 128
    /// Seconds from a connection's accept until its first request head is complete (closed
    /// after): a connection that says nothing, or trickles, holds a slot this long at most.
    public var firstRequestTimeout: Double = 5
    /// Most write commands waiting for the writer; more get 503.
    public var maxQueuedWrites = 4_096
    /// Most commands in one group commit (1 turns group commit off: a transaction per write).
    public var maxBatch = 256

    public init() {}
}

/// A refusal by the parser: the status, a stable code, and a sentence. The connection closes
/// after it, since the stream can no longer be trusted.
public struct ParseFailure: Error, Sendable, Equatable {
    public let status: Int
    public let code: FaceCode
    public let detail: String
}

/// What the parser made of the bytes received so far.
public enum HeadParse: Sendable {
    /// More bytes are needed.
    case incomplete
    /// A request head of `length` bytes, whose body has `bodyLength` bytes.
    case head(HTTPRequest, length: Int, bodyLength: Int)
    case failure(ParseFailure)
}

/// An HTTP/1.1 request-head parser (RFC 9112), strict where leniency lets requests be
/// smuggled or misread: CRLF line ends only, no obsolete line folding, no whitespace before a
/// header's colon, token-only methods and names, one Host, at most one Content-Length
/// (digits only), no Transfer-Encoding (bodies go by Content-Length).
public enum RequestParser {
    static let cr: UInt8 = 13, lf: UInt8 = 10, sp: UInt8 = 32, htab: UInt8 = 9, colon: UInt8 = 58

    /// Parses the head at the start of `buf`. `scanned` is how many bytes an earlier call
    /// already found incomplete but valid: the search for the end resumes there, so a head
    /// trickling in byte by byte costs linear time, not quadratic.
    public static func parse(_ buf: ArraySlice<UInt8>, limits: HTTPLimits, scanned: Int = 0) -> HeadParse {
        var start = buf.startIndex
        // Ignore empty lines before a request line (RFC 9112 §2.2), a few at most.
        var skipped = 0
        while start + 1 < buf.endIndex, buf[start] == cr, buf[start + 1] == lf, skipped < 4 { start += 2; skipped += 1 }
        // Find the end of the head, refusing a bare LF as soon as it shows.
        var end: Int? = nil
        var i = max(start, buf.startIndex + scanned - 3)
        let limit = min(buf.endIndex, start + limits.maxHeaderBytes)
        while i < limit {
            let c = buf[i]
            if c == lf {
                guard i > start, buf[i - 1] == cr else { return fail(400, .httpMalformed, "Lines end with CRLF; a bare LF was received.") }
                if i >= start + 3, buf[i - 2] == lf, buf[i - 3] == cr { end = i + 1; break }
                if i == start + 1 { return fail(400, .httpMalformed, "The request line is empty.") }
            } else if c == cr, i + 1 < buf.endIndex, buf[i + 1] != lf {
                return fail(400, .httpMalformed, "A CR not followed by LF was received.")
            } else if c == 0 {
                return fail(400, .httpMalformed, "A NUL byte was received in the request head.")
            }
            i += 1
        }
        guard let end else {
            if buf.endIndex - start >= limits.maxHeaderBytes {
                return fail(431, .httpHeaderTooLarge, "The request line and headers exceed \(limits.maxHeaderBytes) bytes.")
            }
            return .incomplete
        }
        return parseHead(buf[start..<end], consumed: end - buf.startIndex, limits: limits)
    }

    private static func fail(_ status: Int, _ code: FaceCode, _ detail: String) -> HeadParse {
        .failure(ParseFailure(status: status, code: code, detail: detail))
    }

    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 48...57, 65...90, 97...122: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    /// `head` ends with CRLF CRLF and holds no bare CR or LF.
    private static func parseHead(_ head: ArraySlice<UInt8>, consumed: Int, limits: HTTPLimits) -> HeadParse {
        // Split into lines (without CRLF); the last two are empty.
        var lines = [ArraySlice<UInt8>]()
        var lineStart = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == cr {
                lines.append(head[lineStart..<i])
                i += 2
                lineStart = i
                if lines.count > limits.maxHeaderCount + 2 {
                    return fail(431, .httpHeaderTooLarge, "A request has at most \(limits.maxHeaderCount) header lines.")
                }
            } else {
                i += 1
            }
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else { return fail(400, .httpMalformed, "The request line is missing.") }

        // request-line = method SP request-target SP HTTP-version
        let parts = requestLine.split(separator: sp, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return fail(400, .httpMalformed, "The request line is not METHOD SP TARGET SP VERSION.") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.count <= 32, method.allSatisfy(isTokenChar) else {
            return fail(400, .httpMalformed, "The method is not a token.")
        }
        guard !target.isEmpty, target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return fail(400, .httpMalformed, "The request target is not an absolute path of visible ASCII characters.")
        }
        let minor: Int
        if version.elementsEqual("HTTP/1.1".utf8) {
            minor = 1
        } else if version.elementsEqual("HTTP/1.0".utf8) {
            minor = 0
        } else {
            let v = Array(version)
            if v.count == 8, v.starts(with: Array("HTTP/".utf8)), (48...57).contains(v[5]), v[6] == UInt8(ascii: "."), (48...57).contains(v[7]) {
                return fail(505, .httpVersion, "Only HTTP/1.1 and HTTP/1.0 are served.")
            }
            return fail(400, .httpMalformed, "The HTTP version is malformed.")
        }

        var headers = [(name: String, value: String)]()
        headers.reserveCapacity(lines.count - 1)
        var contentLength: Int? = nil
        var hosts = 0
        for line in lines.dropFirst() {
            guard let first = line.first, first != sp, first != htab else {
                return fail(400, .httpMalformed, "Obsolete line folding (a header line starting with whitespace) is not accepted.")
            }
            guard let colonAt = line.firstIndex(of: colon), colonAt > line.startIndex else {
                return fail(400, .httpMalformed, "A header line has no name and colon.")
            }
            let nameBytes = line[line.startIndex..<colonAt]
            guard nameBytes.allSatisfy(isTokenChar) else {
                return fail(400, .httpMalformed, "A header name holds a character that is not allowed (whitespace before the colon included).")
            }
            var v = line[(colonAt + 1)...]
            while let c = v.first, c == sp || c == htab { v = v.dropFirst() }
            while let c = v.last, c == sp || c == htab { v = v.dropLast() }
            guard v.allSatisfy({ $0 == htab || $0 >= 0x20 && $0 != 0x7F }) else {
                return fail(400, .httpMalformed, "A header value holds a control character.")
            }
            // A token is ASCII: lower-cased byte by byte, without Unicode's case tables.
            let name = String(unsafeUninitializedCapacity: nameBytes.count) { out in
                for (k, b) in nameBytes.enumerated() { out[k] = b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
                return nameBytes.count
            }
            let value = String(decoding: v, as: UTF8.self)
            switch name {
            case "content-length":
                guard contentLength == nil else { return fail(400, .httpMalformed, "Content-Length is given more than once.") }
                guard !v.isEmpty, v.count <= 18, v.allSatisfy({ (48...57).contains($0) }), let n = Int(value) else {
                    return fail(400, .httpMalformed, "Content-Length is not a number of bytes: \(value.prefix(40)).")
                }
                contentLength = n
            case "transfer-encoding":
                let chunked = value.lowercased().hasSuffix("chunked")
                return chunked
                    ? fail(411, .httpLengthRequired, "Chunked request bodies are not accepted; send the body with a Content-Length.")
                    : fail(501, .httpNotImplemented, "Transfer-Encoding \(value.prefix(40)) is not supported; send the body with a Content-Length.")
            case "host":
                hosts += 1
            default:
                break
            }
            headers.append((name, value))
        }
        if minor == 1 && hosts != 1 {
            return fail(400, .httpMalformed, hosts == 0 ? "An HTTP/1.1 request needs a Host header." : "Host is given more than once.")
        }
        let bodyLength = contentLength ?? 0
        let upload = method.elementsEqual("POST".utf8) && target.elementsEqual(HTTPLimits.uploadPath.utf8)
        let most = upload ? limits.maxUploadBytes : limits.maxBodyBytes
        if bodyLength > most {
            return fail(413, .httpTooLarge, "The body of \(bodyLength) bytes exceeds the limit of \(most) bytes.")
        }
        let request = HTTPRequest(method: String(decoding: method, as: UTF8.self), target: String(decoding: target, as: UTF8.self),
                                  minorVersion: minor, headers: headers)
        return .head(request, length: consumed, bodyLength: bodyLength)
    }
}
