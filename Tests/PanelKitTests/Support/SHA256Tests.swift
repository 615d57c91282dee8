import Foundation
import Testing

@testable import PanelKit

@Suite struct SHA256Tests {
    private let scratch = ScratchDirectory()

    @Test func matchesNISTVectors() {
        #expect(SHA256.hexDigest(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hexDigest(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hexDigest(
                Data(
                    ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
                        + "lmnopqrsmnopqrstnopqrstu").utf8))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionAs() {
        #expect(
            SHA256.hexDigest(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingInOddChunksEqualsOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = SHA256.hash(Data(message))
        for chunk in [1, 3, 63, 64, 65, 127, 1000] {
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                let end = min(start + chunk, message.count)
                hasher.update(Array(message[start..<end]))
                start = end
            }
            #expect(hasher.finalize() == expected, "chunk size \(chunk)")
        }
    }

    @Test func finalizeLeavesTheHashUsable() {
        var hasher = SHA256()
        hasher.update(Data("ab".utf8))
        _ = hasher.finalize()
        hasher.update(Data("c".utf8))
        #expect(SHA256.hex(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func paddingBoundaries() {
        // Lengths around the 55/56/64-byte padding boundaries, checked against Python hashlib.
        let expected: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
        ]
        for (length, digest) in expected {
            #expect(SHA256.hexDigest(Data(repeating: UInt8(ascii: "a"), count: length)) == digest, "length \(length)")
        }
    }

    @Test func hashesFilesInChunks() throws {
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let path = try scratch.write(bytes, named: "blob.bin")
        #expect(try SHA256.hexDigest(ofFile: path) == SHA256.hexDigest(Data(bytes)))
        let empty = try scratch.write([], named: "empty.bin")
        #expect(try SHA256.hexDigest(ofFile: empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func missingFileIsATypedError() {
        #expect(throws: FileReadError.self) { try SHA256.hexDigest(ofFile: "/nonexistent/panel/file") }
        #expect(throws: FileReadError.self) { try SHA256.hexDigest(ofFile: "/tmp") }
    }
}
