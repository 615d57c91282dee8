/// How differently each pair of candidates behaves on the K-shot items.
///
/// Three distances, each in 0…1: answer disagreement (the share of items whose extracted answers
/// differ), output distance (1 − cosine of the raw outputs as vectors, averaged over items) and, for
/// LoRA experts with local adapter files, parameter distance (1 − |cosine| of the adapters' weight
/// matrices, K-PAPER Eq. 6). A pair's distance is the mean of the distances available for it.
public struct DiversityMatrix: Sendable, Equatable {
    /// The candidates, in matrix order.
    public var ids: [String]
    /// Answer disagreement per pair.
    public var disagreement: [[Double]]
    /// Output distance per pair.
    public var outputDistance: [[Double]]
    /// Parameter distance per pair, where both are LoRA experts with local adapters.
    public var parameterDistance: [[Double?]]

    /// Creates a matrix.
    public init(ids: [String], disagreement: [[Double]], outputDistance: [[Double]], parameterDistance: [[Double?]]) {
        self.ids = ids
        self.disagreement = disagreement
        self.outputDistance = outputDistance
        self.parameterDistance = parameterDistance
    }

    private func index(_ id: String) -> Int? { ids.firstIndex(of: id) }

    /// The combined distance of two candidates.
    public func distance(_ a: String, _ b: String) -> Double {
        guard let i = index(a), let j = index(b), i != j else { return 0 }
        var parts = [disagreement[i][j], outputDistance[i][j]]
        if let parameter = parameterDistance[i][j] { parts.append(parameter) }
        return parts.reduce(0, +) / Double(parts.count)
    }

    /// A candidate's mean answer disagreement with the others.
    public func meanDisagreement(of id: String) -> Double? {
        guard let i = index(id), ids.count > 1 else { return nil }
        return ids.indices.filter { $0 != i }.map { disagreement[i][$0] }.reduce(0, +) / Double(ids.count - 1)
    }

    /// Computes the matrix from candidates' records on the same items; `vectors` maps each
    /// (candidate, item) output to its vector.
    public static func compute(
        _ evaluations: [CandidateEvaluation], outputVectors vectors: [String: [String: [Float]]],
        parameterSimilarity: [String: [String: Double]] = [:]
    ) -> DiversityMatrix {
        let ids = evaluations.map(\.id)
        let count = ids.count
        var disagreement = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
        var output = disagreement
        var parameter = [[Double?]](repeating: [Double?](repeating: nil, count: count), count: count)
        for i in 0..<count {
            for j in (i + 1)..<max(count, i + 1) where j < count {
                var differ = 0
                var shared = 0
                var cosines: [Double] = []
                for record in evaluations[i].records {
                    guard let other = evaluations[j].record(record.itemID) else { continue }
                    shared += 1
                    // Two unparsable answers are not agreement: neither said anything comparable.
                    if record.extracted != other.extracted || record.extracted == .unparsable { differ += 1 }
                    if let a = vectors[ids[i]]?[record.itemID], let b = vectors[ids[j]]?[record.itemID] {
                        cosines.append(Double(VectorMath.cosine(a, b)))
                    }
                }
                let d = shared == 0 ? 0 : Double(differ) / Double(shared)
                let o = cosines.isEmpty ? 0 : 1 - cosines.reduce(0, +) / Double(cosines.count)
                disagreement[i][j] = d
                disagreement[j][i] = d
                output[i][j] = max(0, o)
                output[j][i] = max(0, o)
                if let similarity = parameterSimilarity[ids[i]]?[ids[j]] ?? parameterSimilarity[ids[j]]?[ids[i]] {
                    parameter[i][j] = 1 - abs(similarity)
                    parameter[j][i] = 1 - abs(similarity)
                }
            }
        }
        return DiversityMatrix(ids: ids, disagreement: disagreement, outputDistance: output, parameterDistance: parameter)
    }
}
