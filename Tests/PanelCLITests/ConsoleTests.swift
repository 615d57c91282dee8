import Foundation
import PanelKit
import Testing

@testable import PanelCLI

@Suite struct ConsoleTests {
    @Test func stylesVanishWhenDisabled() {
        #expect(TerminalStyle.plain.red("x") == "x")
        #expect(TerminalStyle.ansi.green("ok") == "\u{1B}[32mok\u{1B}[0m")
        #expect(TerminalStyle.ansi.bold("") == "")
    }

    @Test func noColorIsRespected() {
        #expect(Terminal.allowsColor(environment: [:]))
        #expect(Terminal.allowsColor(environment: ["NO_COLOR": ""]))
        #expect(!Terminal.allowsColor(environment: ["NO_COLOR": "1"]))
    }

    @Test func dumbTerminalAndPipesAreNotTerminals() throws {
        let pipe = Pipe()
        #expect(!Terminal.isTerminal(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, environment: [:]))
        #expect(!Terminal.isTerminal(fileDescriptor: STDIN_FILENO, environment: ["TERM": "dumb"]))
    }

    @Test func columnsPreferTheEnvironment() {
        #expect(Terminal.columns(fileDescriptor: -1, environment: ["COLUMNS": "132"]) == 132)
        #expect(Terminal.columns(fileDescriptor: -1, environment: ["COLUMNS": "wide"]) == nil)
    }

    @Test func diagnosticsGoToStandardError() {
        let output = OutputBuffer()
        let errors = OutputBuffer()
        let console = Console(standardOutput: output, standardError: errors)
        console.print("result")
        console.warn("slow")
        console.reportError("broken")
        #expect(output.text == "result\n")
        #expect(errors.lines == ["warning: slow", "error: broken"])
    }

    @Test func exitCodesFollowSysexits() {
        #expect(ExitCode(for: UsageError.missingArgument("x")) == .usage)
        #expect(ExitCode(for: DataFileError(file: "f", line: 1, message: "m")) == .dataError)
        #expect(ExitCode(for: CocoaError(.fileReadNoSuchFile)) == .noInput)
        #expect(ExitCode(for: POSIXError(.ENOENT)) == .noInput)
        #expect(ExitCode(for: CancellationError()) == .interrupted)
        #expect(ExitCode(for: POSIXError(.EACCES)) == .failure)
        #expect([ExitCode.usage, .dataError, .noInput, .interrupted].map(\.rawValue) == [64, 65, 66, 130])
    }
}
