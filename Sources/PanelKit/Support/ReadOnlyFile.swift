#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor read with `pread`, so readers at different offsets never share a cursor.
///
/// A class because it owns a C resource: the descriptor is closed exactly once, in `deinit`.
/// Not `Sendable`: every user opens its own, reads, and drops it, which keeps descriptors short-lived
/// and avoids reasoning about sharing.
final class ReadOnlyFile {
    /// The path as given, for error messages.
    let path: String
    /// The file's size in bytes when it was opened.
    let size: UInt64
    private let descriptor: Int32

    /// Opens `path` for reading and records its size.
    init(path: String) throws(FileReadError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.systemMessage()) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = Self.systemMessage()
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        self.path = path
        self.descriptor = descriptor
        self.size = UInt64(status.st_size)
    }

    deinit { close(descriptor) }

    /// Reads up to `count` bytes starting at `offset` into `buffer`, returning how many were read;
    /// fewer than `count` only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(FileReadError) -> Int {
        var total = 0
        while total < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + total, buffer.count - total, off_t(offset) + off_t(total))
            if got < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, reason: Self.systemMessage())
            }
            if got == 0 { break }
            total += got
        }
        return total
    }

    /// Reads exactly `count` bytes at `offset`, or fewer when the file ends first.
    func read(count: Int, at offset: UInt64) throws(FileReadError) -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        // `withUnsafeMutableBytes` only rethrows untyped errors, so the typed result is carried out in a `Result`.
        let outcome = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(FileReadError) in try read(into: buffer, at: offset) }
        }
        let got = try outcome.get()
        if got < count { bytes.removeLast(count - got) }
        return bytes
    }

    private static func systemMessage() -> String {
        String(cString: strerror(errno)).lowercased()
    }
}
