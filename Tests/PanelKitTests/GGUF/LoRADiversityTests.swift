import Foundation
import Testing

@testable import PanelKit

@Suite struct LoRADiversityTests {
    private let scratch = ScratchDirectory()

    /// An adapter with one pair: a has ggml shape [2, 2] (in 2, rank 2), b has [2, 2] (rank 2, out 2).
    private func adapter(a: [Float], b: [Float], name: String = "blk.0.attn_q.weight") throws -> LoRAAdapter {
        try LoRAAdapter(path: try GGUFWriter.adapter(factors: [(name, a, [2, 2], b, [2, 2])]).write(in: scratch))
    }

    @Test func identicalAdaptersHaveSimilarityOne() throws {
        let first = try adapter(a: [1, 2, 2, 0], b: [0.5, -1, 3, 0])
        let second = try adapter(a: [1, 2, 2, 0], b: [0.5, -1, 3, 0])
        #expect(abs(try LoRADiversity().similarity(first, second) - 1) < 1e-6)
    }

    @Test func scaledCopyHasSimilarityOne() throws {
        let first = try adapter(a: [1, 2, 2, 0], b: [0.5, -1, 3, 0])
        let second = try adapter(a: [3, 6, 6, 0], b: [0.05, -0.1, 0.3, 0])
        #expect(abs(try LoRADiversity().similarity(first, second) - 1) < 1e-6)
    }

    @Test func orthogonalAdaptersHaveSimilarityZero() throws {
        let first = try adapter(a: [1, 0, 0, 0], b: [0, 1, 0, 0])
        let second = try adapter(a: [0, 0, 1, 0], b: [0, 0, 0, 5])
        #expect(abs(try LoRADiversity().similarity(first, second)) < 1e-7)
    }

    @Test func averagesMatrixByMatrix() throws {
        // cos(a) = (2 + 2 + 4) / (3 · 3) = 8/9; cos(b) = 1 / √2; similarity = their mean.
        let first = try adapter(a: [1, 2, 2, 0], b: [1, 0, 0, 0])
        let second = try adapter(a: [2, 1, 2, 0], b: [1, 1, 0, 0])
        let cosines = try LoRADiversity().matrixCosines(first, second)
        #expect(abs(cosines["blk.0.attn_q.weight.lora_a"]! - 8.0 / 9.0) < 1e-6)
        #expect(abs(cosines["blk.0.attn_q.weight.lora_b"]! - 1 / 2.0.squareRoot()) < 1e-6)
        let expected = (8.0 / 9.0 + 1 / 2.0.squareRoot()) / 2
        #expect(abs(try LoRADiversity().similarity(first, second) - expected) < 1e-6)
    }

    @Test func signIsDroppedByDefaultAndKeptOnRequest() throws {
        let first = try adapter(a: [1, 2, 2, 0], b: [1, 0, 0, 0])
        let negated = try adapter(a: [-1, -2, -2, 0], b: [-1, 0, 0, 0])
        #expect(abs(try LoRADiversity().similarity(first, negated) - 1) < 1e-6)
        #expect(abs(try LoRADiversity(absoluteCosine: false).similarity(first, negated) + 1) < 1e-6)
    }

    @Test func zeroMatrixContributesZeroNotNaN() throws {
        let trained = try adapter(a: [1, 2, 2, 0], b: [1, 0, 0, 0])
        let untrained = try adapter(a: [1, 2, 2, 0], b: [0, 0, 0, 0])
        let similarity = try LoRADiversity().similarity(trained, untrained)
        #expect(abs(similarity - 0.5) < 1e-6)
    }

    @Test func onlySharedMatricesOfEqualShapeCount() throws {
        let writerA = GGUFWriter.adapter(factors: [
            ("blk.0.attn_q.weight", [1, 0, 0, 0], [2, 2], [1, 0, 0, 0], [2, 2]),
            ("blk.0.attn_v.weight", [1, 0, 0, 0], [2, 2], [1, 0, 0, 0], [2, 2]),
        ])
        let writerB = GGUFWriter.adapter(factors: [
            ("blk.0.attn_q.weight", [1, 0, 0, 0], [2, 2], [1, 0, 0, 0], [2, 2]),
            ("blk.0.attn_k.weight", [0, 1, 0, 0], [2, 2], [0, 1, 0, 0], [2, 2]),
        ])
        let first = try LoRAAdapter(path: try writerA.write(in: scratch))
        let second = try LoRAAdapter(path: try writerB.write(in: scratch))
        let cosines = try LoRADiversity().matrixCosines(first, second)
        #expect(cosines.keys.sorted() == ["blk.0.attn_q.weight.lora_a", "blk.0.attn_q.weight.lora_b"])
        #expect(abs(try LoRADiversity().similarity(first, second) - 1) < 1e-6)
    }

    @Test func differentRanksShareNothing() throws {
        let rank2 = try adapter(a: [1, 2, 2, 0], b: [1, 0, 0, 0])
        let rank1 = try LoRAAdapter(
            path: try GGUFWriter.adapter(factors: [("blk.0.attn_q.weight", [1, 2], [2, 1], [1, 0], [1, 2])]).write(in: scratch))
        #expect(throws: LoRAError.noSharedMatrices(first: rank2.path, second: rank1.path)) {
            try LoRADiversity().similarity(rank2, rank1)
        }
        #expect(throws: LoRAError.self) { try LoRADiversity().similarityMatrix([rank2, rank1]) }
    }

    @Test func similarityMatrixAgreesWithPairwiseSimilarity() throws {
        let adapters = [
            try adapter(a: [1, 2, 2, 0], b: [1, 0, 0, 0]),
            try adapter(a: [2, 1, 2, 0], b: [1, 1, 0, 0]),
            try adapter(a: [0, 0, 1, 3], b: [-1, 2, 0, 1]),
        ]
        let diversity = LoRADiversity()
        let matrix = try diversity.similarityMatrix(adapters)
        for i in 0..<3 {
            #expect(matrix[i][i] == 1)
            for j in 0..<3 where j != i {
                #expect(matrix[i][j] == matrix[j][i])
                #expect(abs(matrix[i][j] - (try diversity.similarity(adapters[i], adapters[j]))) < 1e-6)
            }
        }
    }

    @Test func groupDiversityIsTheInverseMeanAbsoluteSimilarity() {
        #expect(LoRADiversity.groupDiversity(similarities: [0.5, 0.25, 0.25]) == 3)
        #expect(LoRADiversity.groupDiversity(similarities: [-0.5, 0.5]) == 2)
        #expect(LoRADiversity.groupDiversity(similarities: [1, 1, 1]) == 1)
        #expect(abs(LoRADiversity.groupDiversity(similarities: [0, 0]) - 1e9) < 1)
        #expect(LoRADiversity.groupDiversity(similarities: []) == 0)
        let matrix: [[Double]] = [[1, 0.5, 0.25], [0.5, 1, 0.25], [0.25, 0.25, 1]]
        #expect(LoRADiversity.groupDiversity(members: [0, 1, 2], similarityMatrix: matrix) == 3)
        #expect(LoRADiversity.groupDiversity(members: [0, 2], similarityMatrix: matrix) == 4)
    }
}
