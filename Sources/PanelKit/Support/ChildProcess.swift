import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starting and stopping processes that outlive Panel (model servers started by `panel pool up`).
public enum ChildProcess {
    /// glibc's `POSIX_SPAWN_SETSID` (since 2.26), hidden from Swift behind `_GNU_SOURCE`.
    private static let posixSpawnSetsid: Int16 = 0x80

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (since 2.34), also hidden behind `_GNU_SOURCE`,
    /// so looked up by name; on an older glibc descriptors are inherited as before.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Why a process could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        /// The program.
        public var program: String
        /// The `errno` description.
        public var reason: String
        public var description: String { "cannot start \(program): \(reason)" }
    }

    /// Starts `program` in a new session (so Ctrl-C in the terminal that started it does not reach it),
    /// with stdin from /dev/null and stdout and stderr appended to `logFile`. Returns its pid.
    public static func spawnDetached(program: String, arguments: [String], logFile: String) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A server outlives Panel: it must not keep Panel's descriptors (the store, sockets, files
        // being written) open after Panel exits.
        _ = addCloseFrom?(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The calling thread may block signals (dispatch workers do), and a spawned process inherits
        // that mask: the server would then ignore SIGTERM. Give it an empty mask and default handlers.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, posixSpawnSetsid | Int16(POSIX_SPAWN_SETSIGMASK) | Int16(POSIX_SPAWN_SETSIGDEF))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var rc = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        // The kernel refuses to run a file that some process holds open for writing (ETXTBSY). That
        // happens for a moment after the program was written (an upgrade, a test's script) when another
        // thread forked while the writer's descriptor was open: the fork holds a copy until it execs.
        // It clears within milliseconds, so wait for it rather than fail.
        for _ in 0..<textBusyRetries where rc == ETXTBSY {
            usleep(textBusyPause)
            rc = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        }
        guard rc == 0 else { throw SpawnError(program: program, reason: String(cString: strerror(rc))) }
        return pid
    }

    /// How often, and how many microseconds apart, a start refused with ETXTBSY is tried again (2 s in all).
    private static let textBusyRetries = 40
    private static let textBusyPause: useconds_t = 50_000

    /// Whether a process with `pid` exists and its command line mentions `name`
    /// (guards against signalling an unrelated process that reused a stale pid).
    public static func isRunning(_ pid: pid_t, named name: String) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        if let state = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = state.lastIndex(of: ")"), state[state.index(close, offsetBy: 2)] == "Z"
        {
            return false  // a zombie: exited, not yet reaped
        }
        return String(decoding: data, as: UTF8.self).contains(name)
    }

    /// Stops `pid`: SIGTERM, then SIGKILL if it has not exited within `grace`. Returns when it is gone.
    public static func stop(_ pid: pid_t, named name: String, grace: Duration = .seconds(10)) async {
        guard isRunning(pid, named: name) else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning(pid, named: name), ContinuousClock.now < deadline {
            reap(pid)
            try? await Task.sleep(for: .milliseconds(100))
        }
        if isRunning(pid, named: name) {
            kill(pid, SIGKILL)
            while isRunning(pid, named: name) {
                reap(pid)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        reap(pid)
    }

    /// Collects the exit status of our own child so it does not linger as a zombie.
    private static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
