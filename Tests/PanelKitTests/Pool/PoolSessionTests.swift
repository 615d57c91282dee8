import Foundation
import Testing

@testable import PanelKit

/// `PoolSession.open` over a scripted transport: one healthy llama-server and one that is down.
@Suite struct PoolSessionTests {
    static let poolText = """
        {
          "candidates": [
            {"id": "up", "kind": "llama-server", "url": "http://127.0.0.1:9001"},
            {"id": "down", "kind": "llama-server", "url": "http://127.0.0.1:9002"}
          ]
        }
        """

    /// The healthy server's routes on 9001; everything on 9002 is refused.
    static func transport() -> ScriptedTransport {
        let healthy = ScriptedTransport.healthyLlamaServer()
        return ScriptedTransport(
            healthy.mapValues { handler -> ScriptedTransport.Handler in
                { @Sendable request, body in
                    request.url.hasPrefix("http://127.0.0.1:9002")
                        ? .failure(.connectionRefused(url: request.url)) : handler(request, body)
                }
            })
    }

    @Test func unreachableCandidatesAreLeftOutAndProbesStored() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let pool = try PoolLoader.parse(Data(Self.poolText.utf8), path: folder.file("pool.json"))
        let session = try await PoolSession.open(pool, store: store, transport: Self.transport())

        #expect(session.probes.map(\.candidateID) == ["up", "down"])
        #expect(session.clients.map(\.id) == ["up"])
        #expect(session.client("down") == nil)
        #expect(session.unusable.map(\.id) == ["down"])
        #expect(session.unusable.first?.reason.contains("connection refused") == true)
        #expect(session.client("up")?.probe.capabilities.scoring == .exact)

        let stored = try await store.probes(pool: pool.fingerprint)
        #expect(stored["up"]?.result == session.probes[0])
        #expect(stored["down"]?.result.reachable == false)
    }

    @Test func recentProbesOfReachableCandidatesAreReused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let pool = try PoolLoader.parse(Data(Self.poolText.utf8), path: folder.file("pool.json"))
        _ = try await PoolSession.open(pool, store: store, transport: Self.transport())

        let transport = Self.transport()
        let session = try await PoolSession.open(pool, store: store, transport: transport, reuseProbesYoungerThan: 3600)
        #expect(session.clients.map(\.id) == ["up"])
        #expect(session.client("up")?.probe.slots == 4)
        // Only the unreachable candidate was probed again.
        #expect(transport.requests.allSatisfy { $0.url.hasPrefix("http://127.0.0.1:9002") })
        #expect(transport.requests.count == 1)

        // Without reuse, both are probed.
        let fresh = Self.transport()
        _ = try await PoolSession.open(pool, store: store, transport: fresh)
        #expect(fresh.requests.contains { $0.url == "http://127.0.0.1:9001/health" })
    }

    @Test func aSessionWithoutAStoreStillProbes() async throws {
        let pool = try PoolLoader.parse(Data(Self.poolText.utf8), path: "/tmp/pool.json")
        let session = try await PoolSession.open(pool, store: nil, transport: Self.transport())
        #expect(session.clients.count == 1)
        #expect(session.store == nil)
    }
}
