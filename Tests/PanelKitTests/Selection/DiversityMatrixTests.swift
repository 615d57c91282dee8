import Foundation
import Testing

@testable import PanelKit

/// The three diversity distances and how they combine.
@Suite struct DiversityMatrixTests {
    static func evaluation(_ id: String, _ answers: [String?]) -> CandidateEvaluation {
        CandidateEvaluation(
            id: id,
            records: answers.enumerated().map { index, answer in
                KShotRecord(
                    itemID: "q\(index)", output: answer ?? "no idea", extracted: answer.map { .answer($0) } ?? .unparsable,
                    correct: false)
            },
            canScore: false, tokenizerKey: "t")
    }

    /// A: 1, 2, –, 4 · B: 1, 3, –, 4 · C: 1, 2, 3 (ran on three items only; `–` is unparsable).
    static let evaluations = [
        evaluation("A", ["1", "2", nil, "4"]), evaluation("B", ["1", "3", nil, "4"]), evaluation("C", ["1", "2", "3"]),
    ]

    /// Every output of A is (1, 0), of B (0, 1), of C (1, 1).
    static let vectors: [String: [String: [Float]]] = [
        "A": ["q0": [1, 0], "q1": [1, 0], "q2": [1, 0], "q3": [1, 0]],
        "B": ["q0": [0, 1], "q1": [0, 1], "q2": [0, 1], "q3": [0, 1]],
        "C": ["q0": [1, 1], "q1": [1, 1], "q2": [1, 1]],
    ]

    static func near(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(a - b) < tolerance }

    @Test func disagreementCountsDifferingAndDoublyUnparsableAnswersOverSharedItems() {
        let matrix = DiversityMatrix.compute(Self.evaluations, outputVectors: [:])
        #expect(matrix.ids == ["A", "B", "C"])
        // A–B: q1 differs, q2 both unparsable (no agreement): 2 of 4.
        #expect(matrix.disagreement[0][1] == 0.5)
        #expect(matrix.disagreement[1][0] == 0.5)
        // A–C: three shared items, q2 unparsable vs 3: 1 of 3.
        #expect(Self.near(matrix.disagreement[0][2], 1.0 / 3))
        // B–C: q1 3 vs 2, q2 unparsable vs 3: 2 of 3.
        #expect(Self.near(matrix.disagreement[1][2], 2.0 / 3))
        #expect(matrix.disagreement[0][0] == 0)
        // No vectors, no parameters.
        #expect(matrix.outputDistance.flatMap { $0 }.allSatisfy { $0 == 0 })
        #expect(matrix.parameterDistance.flatMap { $0 }.allSatisfy { $0 == nil })
    }

    @Test func outputDistanceIsOneMinusTheMeanCosine() {
        let matrix = DiversityMatrix.compute(Self.evaluations, outputVectors: Self.vectors)
        #expect(Self.near(matrix.outputDistance[0][1], 1))  // orthogonal
        #expect(Self.near(matrix.outputDistance[0][2], 1 - 1 / 2.0.squareRoot()))  // 45°
        #expect(Self.near(matrix.outputDistance[2][1], 1 - 1 / 2.0.squareRoot()))
        #expect(matrix.outputDistance[1][1] == 0)
    }

    @Test func outputDistanceAveragesOnlyItemsWithVectors() {
        // B's q0 output equals A's; B has no vector for q1…q3 but q1 of A is compared with nothing.
        let vectors: [String: [String: [Float]]] = ["A": ["q0": [1, 0], "q1": [1, 0]], "B": ["q0": [1, 0], "q1": [0, 1]]]
        let matrix = DiversityMatrix.compute(Array(Self.evaluations.prefix(2)), outputVectors: vectors)
        // cosines 1 and 0 → mean 0.5 → distance 0.5.
        #expect(Self.near(matrix.outputDistance[0][1], 0.5))
    }

    @Test func parameterDistanceIsOneMinusAbsoluteSimilarityLookedUpEitherWay() {
        let matrix = DiversityMatrix.compute(
            Self.evaluations, outputVectors: Self.vectors, parameterSimilarity: ["B": ["A": 0.8], "A": ["C": -0.9]])
        #expect(Self.near(matrix.parameterDistance[0][1] ?? -1, 0.2))
        #expect(Self.near(matrix.parameterDistance[1][0] ?? -1, 0.2))
        #expect(Self.near(matrix.parameterDistance[0][2] ?? -1, 0.1))  // |−0.9|: anti-aligned adapters are similar
        #expect(matrix.parameterDistance[1][2] == nil)

        // Combined = mean of the parts available for the pair.
        let diagonal: Double = 1 - 1 / 2.0.squareRoot()
        let ab: Double = (0.5 + 1 + 0.2) / 3
        let ac: Double = (1.0 / 3 + diagonal + 0.1) / 3
        let bc: Double = (2.0 / 3 + diagonal) / 2
        #expect(Self.near(matrix.distance("A", "B"), ab))
        #expect(Self.near(matrix.distance("A", "C"), ac))
        #expect(Self.near(matrix.distance("B", "C"), bc))
        #expect(matrix.distance("B", "A") == matrix.distance("A", "B"))
        #expect(matrix.distance("A", "A") == 0)
        #expect(matrix.distance("A", "nobody") == 0)
    }

    @Test func meanDisagreementAveragesOverTheOthers() {
        let matrix = DiversityMatrix.compute(Self.evaluations, outputVectors: [:])
        #expect(Self.near(matrix.meanDisagreement(of: "A") ?? -1, (0.5 + 1.0 / 3) / 2))
        #expect(Self.near(matrix.meanDisagreement(of: "C") ?? -1, (1.0 / 3 + 2.0 / 3) / 2))
        #expect(matrix.meanDisagreement(of: "nobody") == nil)
        let single = DiversityMatrix.compute([Self.evaluations[0]], outputVectors: [:])
        #expect(single.meanDisagreement(of: "A") == nil)
        #expect(single.disagreement == [[0]])
    }

    @Test func identicalCandidatesHaveZeroDistance() {
        let twin = Self.evaluation("A2", ["1", "2", "7", "4"])
        let original = Self.evaluation("A1", ["1", "2", "7", "4"])
        let vectors: [String: [String: [Float]]] = [
            "A1": ["q0": [1, 2], "q1": [3, 4]], "A2": ["q0": [2, 4], "q1": [3, 4]],
        ]
        let matrix = DiversityMatrix.compute([original, twin], outputVectors: vectors, parameterSimilarity: ["A1": ["A2": 1]])
        #expect(Self.near(matrix.distance("A1", "A2"), 0))
    }
}
