import Testing

@testable import PanelKit

@Suite struct FNV1aTests {
    @Test func matchesPublishedVectors() {
        #expect(FNV1a.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func incrementalEqualsOneShot() {
        var hasher = FNV1a()
        hasher.combine(Array("foo".utf8))
        hasher.combine(Array("bar".utf8))
        #expect(hasher.value == FNV1a.hash("foobar"))
    }
}
