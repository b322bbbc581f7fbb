import Foundation

/// `multipart/form-data` (RFC 7578) as a browser sends a form with files: each part's name,
/// file name (for a file) and bytes. Only what the desk's import form needs: no nested
/// multiparts, no transfer encodings, at most `maxParts` parts.
struct Multipart {
    struct Part {
        let name: String
        let filename: String?
        let data: Data
    }

    static let maxParts = 20

    /// The boundary a `Content-Type: multipart/form-data; boundary=…` names.
    static func boundary(_ contentType: String?) -> String? {
        guard let ct = contentType, ct.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for param in ct.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, kv[0].lowercased() == "boundary" else { continue }
            let b = kv[1].hasPrefix("\"") && kv[1].hasSuffix("\"") && kv[1].count >= 2 ? String(kv[1].dropFirst().dropLast()) : kv[1]
            return (1...70).contains(b.utf8.count) ? b : nil
        }
        return nil
    }

    /// The parts of `body`, or nil when it is not well-formed multipart with that boundary.
    static func parts(_ body: Data, boundary: String) -> [Part]? {
        let delimiter = Data("--\(boundary)".utf8), crlf = Data("\r\n".utf8), headEnd = Data("\r\n\r\n".utf8)
        guard let first = body.range(of: delimiter), first.lowerBound == body.startIndex else { return nil }
        var parts = [Part]()
        var cursor = first.upperBound
        while true {
            // After a delimiter: `--` ends the body; otherwise CRLF and a part.
            if body[cursor...].starts(with: Data("--".utf8)) { return parts }
            guard body[cursor...].starts(with: crlf), parts.count < maxParts else { return nil }
            let partStart = cursor + 2
            guard let head = body.range(of: headEnd, in: partStart..<body.endIndex),
                  let next = body.range(of: crlf + delimiter, in: head.upperBound..<body.endIndex) else { return nil }
            let headers = String(decoding: body[partStart..<head.lowerBound], as: UTF8.self)
            var name: String?, filename: String?
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                for param in line.split(separator: ";").dropFirst() {
                    let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2 else { continue }
                    let value = kv[1].hasPrefix("\"") && kv[1].hasSuffix("\"") && kv[1].count >= 2 ? String(kv[1].dropFirst().dropLast()) : kv[1]
                    if kv[0] == "name" { name = value } else if kv[0] == "filename" { filename = value }
                }
            }
            guard let name else { return nil }
            parts.append(Part(name: name, filename: filename, data: Data(body[head.upperBound..<next.lowerBound])))
            cursor = next.upperBound
        }
    }
}
