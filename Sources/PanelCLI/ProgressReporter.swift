import Foundation
import Synchronization
import PanelKit

/// Reports progress of a long operation on standard error, safely from any thread.
///
/// On a terminal it redraws one line in place, at most every 100 ms:
/// `select-experts [████████░░░░░░░░░░░░] 12/30  0.8/s  ETA 0:22  qwen-7b`.
/// Elsewhere (a pipe, a CI log) it prints a plain line at most every few seconds, plus a final one:
/// `select-experts: 12/30 (40%), 0.8 items/s, ETA 22 s (qwen-7b)`.
///
/// A class because it is one shared, mutable resource: callbacks on other threads advance the same
/// line. It is `Sendable` because all mutable state sits behind a `Mutex`, and writing happens
/// inside the lock so lines never interleave. The clock is injected so tests need not sleep.
///
/// Call ``finish()`` before printing results; call ``writeLine(_:)`` (or ``clear()``) to print a
/// warning without corrupting the line.
public final class ProgressReporter: Sendable {
    /// How progress is shown.
    public enum Mode: Sendable, Equatable {
        /// One line redrawn in place with `\r`, truncated to `columns` so it never wraps.
        case redrawing(columns: Int)
        /// Plain lines, at most one per `interval`, plus the final one.
        case periodic(interval: Duration)
        /// Nothing, e.g. for `--quiet` or machine-readable output.
        case silent

        /// Redrawing when `fileDescriptor` is a terminal, else a line every 5 seconds.
        public static func automatic(
            for fileDescriptor: Int32 = STDERR_FILENO,
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) -> Mode {
            guard Terminal.isTerminal(fileDescriptor: fileDescriptor, environment: environment) else {
                return .periodic(interval: .seconds(5))
            }
            return .redrawing(columns: Terminal.columns(fileDescriptor: fileDescriptor, environment: environment) ?? 80)
        }
    }

    /// The least time between two redraws on a terminal; more often only costs CPU and flicker.
    public static let redrawInterval: Duration = .milliseconds(100)

    private struct State {
        var total: Int
        var completed = 0
        /// Items counted as done that took no work (resumed, or served from the cache): they would
        /// inflate the rate and shrink the ETA of the work that is left.
        var free = 0
        var detail = ""
        var lastOutput: Duration?
        var isLineVisible = false
        var isFinished = false
    }

    private let label: String
    private let unit: String
    private let mode: Mode
    private let output: any TextOutput
    private let now: @Sendable () -> Duration
    private let barWidth: Int
    private let start: Duration
    private let state: Mutex<State>

    /// Creates a reporter and, on a terminal, draws the empty bar at once so slow first items show.
    ///
    /// - Parameters:
    ///   - label: What is being done, e.g. the subcommand name.
    ///   - total: How many items the operation has; can change later through ``total``.
    ///   - unit: The plural noun for items in plain lines, e.g. `items/s`.
    ///   - mode: How to show progress; usually ``Mode/automatic(for:environment:)``.
    ///   - output: Where to write; standard error in production.
    ///   - barWidth: The bar's width in characters.
    ///   - now: The current time as a duration since any fixed origin; tests pass a manual clock.
    public init(
        label: String,
        total: Int,
        unit: String = "items",
        mode: Mode,
        output: any TextOutput = StandardError(),
        barWidth: Int = 20,
        now: @escaping @Sendable () -> Duration = ProgressReporter.monotonicNow
    ) {
        self.label = label
        self.unit = unit
        self.mode = mode
        self.output = output
        self.barWidth = barWidth
        self.now = now
        self.start = now()
        self.state = Mutex(State(total: max(0, total)))
        if case .redrawing = mode {
            state.withLock { render(&$0, force: true) }
        }
    }

    /// Time since the first call, from a monotonic clock, so wall-clock changes do not skew rates.
    public static func monotonicNow() -> Duration {
        ContinuousClock.now - origin
    }

    private static let origin = ContinuousClock.now

    /// The number of items expected; set it when work is discovered as it goes (e.g. the next round
    /// of successive halving).
    public var total: Int {
        get { state.withLock { $0.total } }
        set {
            state.withLock { state in
                guard !state.isFinished else { return }
                state.total = max(0, newValue)
                render(&state, force: false)
            }
        }
    }

    /// The number of items done so far.
    public var completed: Int {
        state.withLock { $0.completed }
    }

    /// Adds `count` to the expected total, atomically with respect to other callers.
    public func increaseTotal(by count: Int) {
        state.withLock { state in
            guard !state.isFinished else { return }
            state.total = max(0, state.total + count)
            render(&state, force: false)
        }
    }

    /// Records `count` more items done and, if given, replaces the detail shown at the end of the line
    /// (e.g. the model or item in progress). `advance(by: 0, detail: …)` only updates the detail.
    /// `free` items took no work (they were already done, or served from the cache) and do not count
    /// towards the rate.
    public func advance(by count: Int = 1, detail: String? = nil, free: Bool = false) {
        state.withLock { state in
            guard !state.isFinished else { return }
            state.completed += count
            if free { state.free += count }
            if let detail { state.detail = detail }
            render(&state, force: false)
        }
    }

    /// Draws the final state and ends the line; later calls to the reporter do nothing.
    public func finish() {
        state.withLock { state in
            guard !state.isFinished else { return }
            state.isFinished = true
            switch mode {
            case .redrawing(let columns):
                output.write("\r" + fit(barLine(state, final: true), columns: columns) + "\u{1B}[K\n")
            case .periodic:
                output.write(logLine(state, final: true) + "\n")
            case .silent:
                break
            }
        }
    }

    /// Erases the progress line so something else can be written to the same stream; the next update
    /// draws it again.
    public func clear() {
        state.withLock { erase(&$0) }
    }

    /// Writes `line` (e.g. a warning) above the progress line, then redraws the progress line.
    public func writeLine(_ line: String) {
        state.withLock { state in
            erase(&state)
            output.write(line + "\n")
            if case .redrawing = mode, !state.isFinished {
                render(&state, force: true)
            }
        }
    }

    /// Ends a redrawn line that was never finished, e.g. because the command was interrupted, so
    /// the next message (`error: interrupted`) starts on a line of its own.
    deinit {
        state.withLock { state in
            if case .redrawing = mode, state.isLineVisible, !state.isFinished {
                output.write("\n")
            }
        }
    }

    // MARK: - Drawing (always called with the lock held)

    private func erase(_ state: inout State) {
        guard case .redrawing = mode, state.isLineVisible else { return }
        output.write("\r\u{1B}[K")
        state.isLineVisible = false
    }

    private func render(_ state: inout State, force: Bool) {
        let time = now()
        switch mode {
        case .redrawing(let columns):
            // A hidden line is redrawn at once: it was cleared for a message and must come back.
            if !force, state.isLineVisible, let last = state.lastOutput, time - last < Self.redrawInterval {
                return
            }
            output.write("\r" + fit(barLine(state, final: false), columns: columns) + "\u{1B}[K")
            state.isLineVisible = true
        case .periodic(let interval):
            // Once everything is done the final line from `finish()` says it all.
            if !force, time - (state.lastOutput ?? start) < interval || state.completed >= state.total {
                return
            }
            output.write(logLine(state, final: false) + "\n")
        case .silent:
            return
        }
        state.lastOutput = time
    }

    private func barLine(_ state: State, final: Bool) -> String {
        let filled = Int(fraction(state) * Double(barWidth))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        var parts = ["\(label) [\(bar)] \(state.completed)/\(state.total)"]
        let elapsed = seconds(since: start)
        if let rate = rate(state, elapsed: elapsed) {
            parts.append("\(Self.format(rate: rate))/s")
        }
        if final {
            parts.append("took \(Self.clockFormat(elapsed))")
        } else {
            if let eta = eta(state, elapsed: elapsed) { parts.append("ETA \(Self.clockFormat(eta))") }
            if !state.detail.isEmpty { parts.append(state.detail) }
        }
        return parts.joined(separator: "  ")
    }

    private func logLine(_ state: State, final: Bool) -> String {
        let percent = Int(fraction(state) * 100)
        var line = "\(label): \(state.completed)/\(state.total) (\(percent)%)"
        let elapsed = seconds(since: start)
        if let rate = rate(state, elapsed: elapsed) {
            line += ", \(Self.format(rate: rate)) \(unit)/s"
        }
        if final {
            line += ", took \(Self.spokenFormat(elapsed))"
        } else {
            if let eta = eta(state, elapsed: elapsed) { line += ", ETA \(Self.spokenFormat(eta))" }
            if !state.detail.isEmpty { line += " (\(state.detail))" }
        }
        return line
    }

    private func fraction(_ state: State) -> Double {
        state.total > 0 ? min(1, max(0, Double(state.completed) / Double(state.total))) : 0
    }

    /// Items per second of real work.
    private func rate(_ state: State, elapsed: Double) -> Double? {
        let worked = state.completed - state.free
        guard worked > 0, elapsed > 0 else { return nil }
        return Double(worked) / elapsed
    }

    private func eta(_ state: State, elapsed: Double) -> Double? {
        guard let rate = rate(state, elapsed: elapsed), state.completed < state.total else { return nil }
        return Double(state.total - state.completed) / rate
    }

    private func seconds(since origin: Duration) -> Double {
        (now() - origin).inSeconds
    }

    /// Cuts `line` so it fits in one terminal row; a line that wraps would break `\r` redrawing.
    private func fit(_ line: String, columns: Int) -> String {
        let limit = max(columns - 1, 10)
        return line.count > limit ? line.prefix(limit - 1) + "…" : line
    }

    /// `12`, `0.8`, `0.05`: enough digits to be useful at any speed.
    static func format(rate: Double) -> String {
        if rate >= 100 { return String(format: "%.0f", rate) }
        if rate >= 0.1 { return String(format: "%.1f", rate) }
        return String(format: "%.2f", rate)
    }

    /// `0:15`, `12:03`, `1:02:03`, for the compact terminal line.
    static func clockFormat(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, secs)
            : String(format: "%d:%02d", minutes, secs)
    }

    /// `15 s`, `2 min 5 s`, `1 h 2 min`, for log lines read by people later.
    static func spokenFormat(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total / 60 % 60) min"
    }
}
