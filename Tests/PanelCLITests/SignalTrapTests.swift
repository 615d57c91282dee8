import Foundation
import Testing

@testable import PanelCLI

@Suite(.serialized) struct SignalTrapTests {
    /// Sends a real SIGUSR1 to the test process (not SIGINT, which the test runner may care about);
    /// the trap ignores its default action, so the process survives and the task is cancelled.
    @Test func signalCancelsTheTask() async throws {
        let task = Task {
            try await Task.sleep(for: .seconds(30))
        }
        let trap = SignalTrap.cancelling(task, signals: [SIGUSR1])
        defer { trap.remove() }
        #expect(!trap.wasTriggered)
        #expect(trap.firstSignal == nil)
        // A signal sent before the handler is registered would be ignored, so wait for it.
        for _ in 0..<200 where !trap.isInstalled {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(trap.isInstalled)
        kill(getpid(), SIGUSR1)
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(trap.wasTriggered)
        #expect(trap.firstSignal == SIGUSR1)
    }

    @Test func theExitCodeOfASignalIs128PlusItsNumber() {
        #expect(ExitCode.interrupted(by: SIGINT) == .interrupted)
        #expect(ExitCode.interrupted(by: SIGINT).rawValue == 130)
        #expect(ExitCode.interrupted(by: SIGTERM).rawValue == 143)
    }

    @Test func removingTwiceIsHarmless() {
        let trap = SignalTrap(signals: [SIGUSR2]) { _, _ in }
        trap.remove()
        trap.remove()
        #expect(!trap.wasTriggered)
    }
}
