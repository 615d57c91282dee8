import Synchronization
import Testing

@testable import PanelCLI

/// A clock the test moves by hand, so rates, ETAs and throttling are exact and nothing sleeps.
private final class ManualClock: Sendable {
    private let time = Mutex(Duration.zero)

    var now: @Sendable () -> Duration {
        { [self] in time.withLock { $0 } }
    }

    func advance(by duration: Duration) {
        time.withLock { $0 += duration }
    }
}

@Suite struct ProgressReporterTests {
    @Test func periodicLinesAreThrottledAndEndWithASummary() {
        let clock = ManualClock()
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "select-experts", total: 30, mode: .periodic(interval: .seconds(5)), output: output, now: clock.now)
        #expect(output.text.isEmpty)

        clock.advance(by: .seconds(2))
        progress.advance(by: 2)
        #expect(output.text.isEmpty, "nothing before the first interval has passed")

        clock.advance(by: .seconds(13))
        progress.advance(by: 10, detail: "qwen-7b")
        #expect(output.lines == ["select-experts: 12/30 (40%), 0.8 items/s, ETA 23 s (qwen-7b)"])

        clock.advance(by: .seconds(1))
        progress.advance()
        #expect(output.lines.count == 1, "at most one line per interval")

        clock.advance(by: .seconds(59))
        progress.advance(by: 17)
        progress.finish()
        #expect(
            output.lines == [
                "select-experts: 12/30 (40%), 0.8 items/s, ETA 23 s (qwen-7b)",
                "select-experts: 30/30 (100%), 0.4 items/s, took 1 min 15 s",
            ])
    }

    /// A resumed run's finished items, and items served from the cache, took no time: counted in the
    /// rate, they would promise the remaining work far too soon.
    @Test func freeItemsCountAsDoneButNotInTheRate() {
        let clock = ManualClock()
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "evaluate", total: 50, mode: .periodic(interval: .seconds(5)), output: output, now: clock.now)
        progress.advance(by: 40, free: true)
        clock.advance(by: .seconds(10))
        progress.advance(by: 2)
        // 2 items of work in 10 s: 0.2/s, so the 8 left take 40 s (not 2 s, as 42 items in 10 s would say).
        #expect(output.lines == ["evaluate: 42/50 (84%), 0.2 items/s, ETA 40 s"])
    }

    @Test func finishAlwaysWritesAndOnlyOnce() {
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "evaluate", total: 3, mode: .periodic(interval: .seconds(5)), output: output, now: ManualClock().now)
        progress.advance(by: 3)
        progress.finish()
        progress.finish()
        progress.advance()
        #expect(output.lines == ["evaluate: 3/3 (100%), took 0 s"])
    }

    @Test func redrawnLineIsThrottledToTenPerSecond() {
        let clock = ManualClock()
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "ask", total: 10, mode: .redrawing(columns: 120), output: output, barWidth: 10, now: clock.now)
        #expect(output.text == "\rask [░░░░░░░░░░] 0/10\u{1B}[K", "the empty bar shows at once")

        output.removeAll()
        clock.advance(by: .milliseconds(50))
        progress.advance()
        #expect(output.text.isEmpty, "50 ms after the last draw is too soon")

        clock.advance(by: .milliseconds(1950))
        progress.advance(by: 3, detail: "llama")
        #expect(output.text == "\rask [████░░░░░░] 4/10  2.0/s  ETA 0:03  llama\u{1B}[K")

        output.removeAll()
        clock.advance(by: .seconds(3))
        progress.advance(by: 6)
        progress.finish()
        #expect(
            output.text
                == "\rask [██████████] 10/10  2.0/s  llama\u{1B}[K"
                + "\rask [██████████] 10/10  2.0/s  took 0:05\u{1B}[K\n")
    }

    @Test func clearErasesAndTheNextUpdateRedraws() {
        let clock = ManualClock()
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "ask", total: 4, mode: .redrawing(columns: 80), output: output, barWidth: 4, now: clock.now)
        output.removeAll()
        progress.clear()
        #expect(output.text == "\r\u{1B}[K")
        progress.clear()
        #expect(output.text == "\r\u{1B}[K", "clearing twice writes nothing more")

        output.removeAll()
        progress.advance()
        #expect(output.text.hasPrefix("\rask [█░░░] 1/4"), "a cleared line comes back without waiting")

        output.removeAll()
        progress.writeLine("warning: slow server")
        #expect(output.text.hasPrefix("\r\u{1B}[Kwarning: slow server\n\rask [█░░░] 1/4"))
    }

    @Test func abandonedLineIsEndedOnRelease() {
        let output = OutputBuffer()
        do {
            let progress = ProgressReporter(label: "ask", total: 4, mode: .redrawing(columns: 80), output: output)
            progress.advance()
        }
        #expect(output.text.hasSuffix("\u{1B}[K\n"))
    }

    @Test func lineIsCutToTheTerminalWidth() {
        let clock = ManualClock()
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "ask", total: 4, mode: .redrawing(columns: 30), output: output, barWidth: 4, now: clock.now)
        clock.advance(by: .seconds(1))
        progress.advance(by: 0, detail: String(repeating: "x", count: 100))
        let lastLine = output.text.components(separatedBy: "\r").last!.replacingOccurrences(of: "\u{1B}[K", with: "")
        #expect(lastLine.count == 29)
        #expect(lastLine.hasSuffix("x…"))
    }

    @Test func totalCanGrow() {
        let clock = ManualClock()
        let output = OutputBuffer()
        let progress = ProgressReporter(
            label: "halving", total: 8, mode: .periodic(interval: .seconds(1)), output: output, now: clock.now)
        progress.advance(by: 8)
        progress.increaseTotal(by: 4)
        progress.total += 2
        #expect(progress.total == 14)
        #expect(progress.completed == 8)
        clock.advance(by: .seconds(2))
        progress.advance(by: 0)
        #expect(output.lines.last?.hasPrefix("halving: 8/14 (57%), 4.0 items/s, ETA 2 s") == true)
    }

    @Test func silentModeWritesNothing() {
        let output = OutputBuffer()
        let progress = ProgressReporter(label: "x", total: 2, mode: .silent, output: output)
        progress.advance(by: 2)
        progress.writeLine("still shown")
        progress.finish()
        #expect(output.text == "still shown\n")
    }

    @Test func concurrentAdvancesAreAllCounted() async {
        let progress = ProgressReporter(label: "x", total: 1000, mode: .redrawing(columns: 80), output: OutputBuffer())
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask { for _ in 0..<100 { progress.advance() } }
            }
        }
        #expect(progress.completed == 1000)
    }

    @Test func durationFormats() {
        #expect(ProgressReporter.clockFormat(15) == "0:15")
        #expect(ProgressReporter.clockFormat(3723) == "1:02:03")
        #expect(ProgressReporter.spokenFormat(59.6) == "1 min 0 s")
        #expect(ProgressReporter.spokenFormat(3720) == "1 h 2 min")
        #expect(ProgressReporter.format(rate: 0.04) == "0.04")
        #expect(ProgressReporter.format(rate: 123.4) == "123")
    }
}
