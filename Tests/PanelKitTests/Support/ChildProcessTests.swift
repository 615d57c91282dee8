import Foundation
import Testing

@testable import PanelKit

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ChildProcessTests {
    /// A program still open for writing somewhere cannot be run (ETXTBSY). When the writer lets go
    /// soon after, as a forked sibling does once it execs, the start waits for that instead of failing.
    @Test func aProgramBusyForAMomentStillStarts() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let program = folder.file("program")
        try writeProgram("#!/bin/sh\nexit 0\n", to: program)
        let writer = open(program, O_WRONLY | O_CLOEXEC)
        #expect(writer >= 0)
        let log = folder.file("program.log")
        let start = Task.detached { try ChildProcess.spawnDetached(program: program, arguments: [], logFile: log) }
        try await Task.sleep(for: .milliseconds(300))
        close(writer)
        let pid = try await start.value
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(status == 0)
    }

    /// A server outlives Panel, so it must not hold Panel's open files (the store, say) after Panel exits.
    @Test func aStartedProcessInheritsNoneOfPanelsFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let held = folder.file("held-by-panel")
        let descriptor = open(held, O_WRONLY | O_CREAT, 0o644)  // no O_CLOEXEC: inherited unless closed
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let program = folder.file("program")
        try writeProgram("#!/bin/sh\nfor f in /proc/$$/fd/*; do readlink \"$f\"; done\n", to: program)
        #expect(chmod(program, 0o755) == 0)
        let log = folder.file("program.log")
        let pid = try ChildProcess.spawnDetached(program: program, arguments: [], logFile: log)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        let open = try String(contentsOfFile: log, encoding: .utf8)
        #expect(open.contains("program.log"))  // the listing ran
        #expect(!open.contains("held-by-panel"))
    }
}

/// Writes an executable script through a close-on-exec descriptor: a process another test forks while
/// the file is open must not inherit the writer, or running the script fails with ETXTBSY for as long
/// as that process lives.
func writeProgram(_ text: String, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    guard write(descriptor, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
}
