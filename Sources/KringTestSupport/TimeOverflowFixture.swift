import Foundation
import KringCore

/// A TimeOverflow time bank made up from a seed, in both forms a municipality may hold (the
/// report downloads and the admin upload files), with the balances that must come out of it.
/// Members are `lid-N` (N their member_uid); amounts are whole minutes, not quarters; about one
/// transfer in twenty is with the organisation.
public struct TimeOverflowFixture: Sendable {
    public var membersReport = "", transfersReport = "", offersReport = "", inquiriesReport = ""
    public var membersAdmin = "", transfersAdmin = ""
    /// Each member's balance in minutes after the import.
    public var balances: [MemberID: Int64] = [:]
    /// Transfer rows (1-based data rows, after the report's header) and the uid of each transfer's parties.
    public var transferCount = 0

    public init(members: Int, transfers: Int, posts: Int, seed: UInt64 = 20_261_202) {
        var rng = SplitMix64(seed: seed)
        let start = Day(iso: "2024-01-01")!
        var balance = [Int: Int64]()
        var created = [Int: Day]()
        membersReport = "N,Usuario,Email,Teléfono,Teléfono alternativo,Alta,Último acceso,Idioma,Saldo\n"
        for uid in 1...members {
            created[uid] = start + Int64(rng.next() % 30)
            balance[uid] = 0
        }
        transfersReport = "Fecha,Desde,Hasta,Oferta,Cantidad\n"
        // Two years of history, whatever the number of transfers.
        var day = start + 31
        for _ in 0..<transfers {
            day = day + Int64(rng.next() % UInt64(max(transfers, 1)) < 600 ? 1 : 0)
            let minutes = Int64(rng.next() % 240) + 5
            let hour = 9 + Int64(rng.next() % 9), minute = Int64(rng.next() % 60)
            var a = Int(rng.next() % UInt64(members)) + 1, b = Int(rng.next() % UInt64(members)) + 1
            if a == b { b = b % members + 1 }
            let org = rng.next() % 20 == 0
            let fromOrg = org && rng.next() % 2 == 0, toOrg = org && !fromOrg
            if fromOrg { a = 0 }
            if toOrg { b = 0 }
            if a != 0 { balance[a, default: 0] -= minutes }
            if b != 0 { balance[b, default: 0] += minutes }
            func who(_ uid: Int) -> String { uid == 0 ? "Banco de Tiempo" : "Lid \(uid) (\(uid))" }
            let clock = "\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)"
            let q = "\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
            transfersReport += "\(day) \(clock),\(who(a)),\(who(b)),\"Ayuda, \(rng.next() % 50)\",\(q)\n"
            transfersAdmin += "\(a == 0 ? 1 : a),\(a == 0 ? "organization" : "member"),\(b == 0 ? 1 : b),\(b == 0 ? "organization" : "member"),\(minutes * 60),\(day)T\(clock):00Z,Ayuda,\n"
            transferCount += 1
        }
        for uid in 1...members {
            membersReport += "\(uid),lid-\(uid),lid\(uid)@example.org,+34 600 000 \(uid),,\(created[uid]!),2025-01-01,es,\((balance[uid] ?? 0) * 60)\n"
            membersAdmin += "\(uid),\(created[uid]!),Lid,\(uid),,f,1980-01-01,+34 600 000 \(uid),,lid\(uid)@example.org\n"
            balances[MemberID(canonical: "lid-\(uid)")!] = balance[uid] ?? 0
        }
        let categories = ["Cuidados", "Educación", "Hogar", "Cosas raras"]
        offersReport = "Id,Título,Etiquetas,Usuario,Creado\n"
        inquiriesReport = offersReport
        for (i, category) in categories.enumerated() {
            offersReport += ",\(category),,,\n"
            inquiriesReport += ",\(category),,,\n"
            for n in 0..<(posts / 2 / categories.count + (i == 0 ? (posts / 2) % categories.count : 0)) {
                let uid = Int(rng.next() % UInt64(members)) + 1
                offersReport += "\(i * 1000 + n),Oferta \(n),\"tag1, tag2\",Lid \(uid) (\(uid)),\(start + 40 + Int64(n))\n"
                inquiriesReport += "\(i * 1000 + n + 500),Demanda \(n),,Lid \(uid) (\(uid)),\(start + 40 + Int64(n))\n"
            }
        }
    }
}
