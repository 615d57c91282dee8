import Testing

@testable import PanelKit

@Suite struct VectorMathTests {
    @Test func dotNormAndNormalise() {
        #expect(VectorMath.dot([1, 2, 3], [4, 5, 6]) == 32)
        #expect(VectorMath.norm([3, 4]) == 5)
        #expect(VectorMath.l2Normalize([3, 4]) == [0.6, 0.8])
        #expect(VectorMath.l2Normalize([0, 0, 0]) == [0, 0, 0])
        #expect(VectorMath.dot([], []) == 0)
    }

    @Test func cosineHandlesZeroVectors() {
        #expect(VectorMath.cosine([1, 0], [0, 0]) == 0)
        #expect(VectorMath.cosine([0, 0], [0, 0]) == 0)
        #expect(VectorMath.cosine([1, 1], [2, 2]) == 1)
        #expect(abs(VectorMath.cosine([1, 0], [1, 1]) - 0.707_106_77) < 1e-6)
    }

    @Test func cosineSimilaritiesAgainstRowMajorMatrix() {
        let matrix: [Float] = [1, 0, 0, 1, 1, 1, 0, 0, -2, 0]
        let similarities = VectorMath.cosineSimilarities(query: [1, 0], matrix: matrix, count: 5, dimension: 2)
        #expect(similarities.count == 5)
        #expect(similarities[0] == 1)
        #expect(similarities[1] == 0)
        #expect(abs(similarities[2] - 0.707_106_77) < 1e-6)
        #expect(similarities[3] == 0)
        #expect(similarities[4] == -1)
        #expect(VectorMath.cosineSimilarities(query: [0, 0], matrix: matrix, count: 5, dimension: 2) == [0, 0, 0, 0, 0])
        #expect(VectorMath.cosineSimilarities(query: [1, 0], matrix: [], count: 0, dimension: 2).isEmpty)
    }

    @Test func pairwiseCosineIsSymmetricWithUnitDiagonal() {
        let vectors: [[Float]] = [[1, 0, 0], [1, 1, 0], [0, 0, 0], [0, 0, 5]]
        let matrix = VectorMath.pairwiseCosine(vectors)
        #expect(matrix.count == 4)
        #expect(matrix[0][0] == 1 && matrix[1][1] == 1 && matrix[3][3] == 1)
        #expect(matrix[2][2] == 0)
        #expect(abs(matrix[0][1] - 0.707_106_77) < 1e-6)
        #expect(matrix[0][3] == 0)
        #expect(matrix[2].allSatisfy { $0 == 0 })
        for i in 0..<4 {
            for j in 0..<4 {
                #expect(matrix[i][j] == matrix[j][i])
                #expect(!matrix[i][j].isNaN)
            }
        }
        #expect(VectorMath.pairwiseCosine([]).isEmpty)
    }

    @Test func pairwiseCosineMatchesScalarCosineOnLargerInput() {
        var generator = SplitMix64(seed: 7)
        let vectors: [[Float]] = (0..<6).map { _ in
            (0..<50).map { _ in Float(generator.uniform(below: 201) - 100) / 10 }
        }
        let matrix = VectorMath.pairwiseCosine(vectors)
        for i in 0..<6 {
            for j in 0..<6 where i != j {
                #expect(abs(matrix[i][j] - VectorMath.cosine(vectors[i], vectors[j])) < 1e-5)
            }
        }
    }

    @Test func kNearestBreaksTiesByIndex() {
        let vectors: [[Float]] = [[1, 0], [0, 1], [2, 0], [1, 1], [0, 0]]
        let neighbors = VectorMath.kNearest(query: [1, 0], among: vectors, k: 3)
        #expect(neighbors.map(\.index) == [0, 2, 3])
        #expect(neighbors[0].similarity == 1 && neighbors[1].similarity == 1)
        #expect(VectorMath.kNearest(query: [1, 0], among: vectors, k: 10).count == 5)
        #expect(VectorMath.kNearest(query: [1, 0], among: vectors, k: 0).isEmpty)
        #expect(VectorMath.kNearest(query: [1, 0], among: [], k: 3).isEmpty)
    }

    @Test func nearestRanksNaNLast() {
        let neighbors = VectorMath.nearest(similarities: [.nan, 0.5, 0.5, -1], k: 4)
        #expect(neighbors.map(\.index) == [1, 2, 3, 0])
    }
}
