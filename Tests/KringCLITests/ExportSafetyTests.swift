import Foundation
import Testing
import KringCore
import KringStore
import KringTestSupport

/// What an accountant opens in a spreadsheet is data, never a formula.
@Suite(.serialized) struct ExportSafetyTests {
    @Test func csvExportNeutralisesFormulasAndKeepsNumbers() throws {
        let k = try CLITests().community(); defer { k.dir.remove() }
        let formula = "=cmd|' /C calc'!A0"
        #expect(try k.run("exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", formula,
                          "--credits", "1:30").status == 0)
        let exchanges = try k.run("export", "--format", "csv", "--table", "exchanges")
        #expect(exchanges.status == 0)
        #expect(exchanges.stdout.contains("\"'=cmd|' /C calc'!A0\""), "\(exchanges.stdout)")
        #expect(!exchanges.stdout.contains(",=cmd"))
        #expect(exchanges.stdout.contains(",90,90,minutes,"), "numbers stay numbers")
        let transfers = try k.run("export", "--format", "csv")
        #expect(transfers.stdout.contains("\"'=cmd|' /C calc'!A0\"") && transfers.stdout.contains(",90,"))
    }
}
