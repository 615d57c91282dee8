import Dispatch
import Foundation
import Synchronization

/// Catches SIGINT (Ctrl-C) and SIGTERM while installed, so a command can stop cleanly instead of
/// being killed mid-write.
///
/// The usual use is ``cancelling(_:signals:)``: the first signal cancels the command's task, which
/// unwinds through cooperative cancellation and exits with 128 + the signal (130 for SIGINT, 143 for
/// SIGTERM); a second signal exits at once, for when something does not notice cancellation.
///
/// A class because it owns the installed handlers, which ``remove()`` (or deinit) uninstalls.
/// It is `Sendable` because its mutable state is behind a `Mutex` and an `Atomic`.
public final class SignalTrap: Sendable {
    private let signals: [Int32]
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let counters = Counters()

    /// Installs handlers for `signals` that call `handler` with the signal number and how many
    /// signals have arrived so far (1 for the first).
    ///
    /// The signals' default action (terminating the process) is disabled until ``remove()``.
    public init(
        signals: [Int32] = [SIGINT, SIGTERM],
        handler: @escaping @Sendable (_ signal: Int32, _ count: Int) -> Void
    ) {
        self.signals = signals
        let counters = self.counters
        let sources = signals.map { signalNumber -> any DispatchSourceSignal in
            // Ignore the signal first, or its default action would kill the process before the
            // dispatch source sees it.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            // `@Sendable` keeps the closure nonisolated. Inferred MainActor isolation compiles but
            // crashes when the global queue calls it (notes §7).
            source.setEventHandler { @Sendable in
                handler(signalNumber, counters.recordDelivery(of: signalNumber))
            }
            source.setRegistrationHandler { @Sendable in
                counters.recordRegistration()
            }
            source.resume()
            return source
        }
        self.sources = Mutex(sources)
    }

    /// A trap whose first signal cancels `task` and whose second exits the process at once, with 128 + its number.
    public static func cancelling<Success: Sendable, Failure: Error>(
        _ task: Task<Success, Failure>,
        signals: [Int32] = [SIGINT, SIGTERM]
    ) -> SignalTrap {
        SignalTrap(signals: signals) { @Sendable signal, count in
            if count == 1 {
                task.cancel()
            } else {
                exit(ExitCode.interrupted(by: signal).rawValue)
            }
        }
    }

    /// Whether at least one signal has arrived.
    public var wasTriggered: Bool {
        counters.deliveries > 0
    }

    /// The first signal that arrived, if any.
    public var firstSignal: Int32? {
        let signal = counters.first
        return signal == 0 ? nil : signal
    }

    /// Whether every handler is live. Installation finishes asynchronously, within a millisecond
    /// or so; a signal that arrives before then is ignored rather than caught.
    public var isInstalled: Bool {
        counters.registrations == signals.count
    }

    /// Uninstalls the handlers and restores the signals' default action; safe to call twice.
    public func remove() {
        let installed = sources.withLock { sources in
            defer { sources = [] }
            return sources
        }
        guard !installed.isEmpty else { return }
        for source in installed { source.cancel() }
        for signalNumber in signals { signal(signalNumber, SIG_DFL) }
    }

    deinit {
        remove()
    }
}

/// Counts shared between the trap and its handlers; a class so the handlers can hold it without
/// holding the trap, whose deinit uninstalls them.
private final class Counters: Sendable {
    private let deliveryCount = Atomic<Int>(0)
    private let registrationCount = Atomic<Int>(0)
    private let firstSignal = Atomic<Int32>(0)

    var deliveries: Int { deliveryCount.load(ordering: .relaxed) }
    var registrations: Int { registrationCount.load(ordering: .relaxed) }
    /// The first signal delivered, 0 before any.
    var first: Int32 { firstSignal.load(ordering: .acquiring) }

    /// Counts one more signal and returns the new total.
    func recordDelivery(of signal: Int32) -> Int {
        _ = firstSignal.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
        return deliveryCount.add(1, ordering: .relaxed).newValue
    }

    /// Counts one more handler installed with the kernel.
    func recordRegistration() {
        registrationCount.add(1, ordering: .relaxed)
    }
}
