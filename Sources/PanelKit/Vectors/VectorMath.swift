import COpenBLAS

/// Dense vector operations on `[Float]` backed by OpenBLAS: dot products, normalisation, cosine similarities and
/// nearest neighbours.
///
/// The only file that imports COpenBLAS: LoRA diversity and nearest-neighbour search both go through here.
/// OpenBLAS is limited to one thread the first time any function here runs: Panel already computes in parallel at
/// the task level, and on a 2-core machine OpenBLAS's own pthread pool then oversubscribes the cores (measured
/// 0.27 s single-threaded against 0.34 s default for 16 concurrent callers). The setting is process-wide.
///
/// Zero vectors have cosine 0 with everything, themselves included, so results never contain NaN.
public enum VectorMath {
    /// Runs once, lazily and thread-safely (Swift initialises static lets with `swift_once`).
    private static let singleThreaded: Void = {
        openblas_set_num_threads(1)
    }()

    /// The dot product of two vectors of equal length.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot of vectors of different lengths: \(a.count) and \(b.count)")
        guard !a.isEmpty else { return 0 }
        _ = singleThreaded
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                cblas_sdot(Int32(a.count), x.baseAddress, 1, y.baseAddress, 1)
            }
        }
    }

    /// The Euclidean length of `vector`.
    public static func norm(_ vector: [Float]) -> Float {
        guard !vector.isEmpty else { return 0 }
        _ = singleThreaded
        return vector.withUnsafeBufferPointer { cblas_snrm2(Int32(vector.count), $0.baseAddress, 1) }
    }

    /// `vector` scaled to unit length; a zero vector is returned unchanged (there is no direction to keep).
    public static func l2Normalize(_ vector: [Float]) -> [Float] {
        let length = norm(vector)
        guard length > 0, length.isFinite else { return vector }
        var result = vector
        let scale = 1 / length
        result.withUnsafeMutableBufferPointer { cblas_sscal(Int32(vector.count), scale, $0.baseAddress, 1) }
        return result
    }

    /// The cosine similarity of two vectors of equal length, clamped to [−1, 1]; 0 if either is zero.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let lengths = norm(a) * norm(b)
        guard lengths > 0 else { return 0 }
        return clamp(dot(a, b) / lengths)
    }

    /// The cosine similarity of `query` with each of `count` rows of `matrix` (row-major, `count × dimension`), in
    /// one `sgemv` call. Rows need not be normalised.
    public static func cosineSimilarities(query: [Float], matrix: [Float], count: Int, dimension: Int) -> [Float] {
        precondition(query.count == dimension, "query has \(query.count) components, expected \(dimension)")
        precondition(matrix.count == count * dimension, "matrix has \(matrix.count) values, expected \(count)×\(dimension)")
        guard count > 0 else { return [] }
        guard dimension > 0 else { return [Float](repeating: 0, count: count) }
        _ = singleThreaded
        var dots = [Float](repeating: 0, count: count)
        matrix.withUnsafeBufferPointer { m in
            query.withUnsafeBufferPointer { q in
                dots.withUnsafeMutableBufferPointer { out in
                    cblas_sgemv(
                        CblasRowMajor, CblasNoTrans, Int32(count), Int32(dimension),
                        1, m.baseAddress, Int32(dimension), q.baseAddress, 1, 0, out.baseAddress, 1)
                }
            }
        }
        let queryLength = norm(query)
        guard queryLength > 0 else { return [Float](repeating: 0, count: count) }
        return matrix.withUnsafeBufferPointer { m in
            (0..<count).map { row in
                let rowLength = cblas_snrm2(Int32(dimension), m.baseAddress! + row * dimension, 1)
                return rowLength > 0 ? clamp(dots[row] / (rowLength * queryLength)) : 0
            }
        }
    }

    /// The symmetric matrix of cosine similarities between all pairs of `vectors` (all of one length), via one
    /// `ssyrk` call on the normalised rows.
    ///
    /// The diagonal is exactly 1, or 0 for a zero vector; the result is exactly symmetric.
    public static func pairwiseCosine(_ vectors: [[Float]]) -> [[Float]] {
        let count = vectors.count
        guard let dimension = vectors.first?.count else { return [] }
        precondition(vectors.allSatisfy { $0.count == dimension }, "vectors differ in length")
        var isZero = [Bool](repeating: false, count: count)
        var rows = [Float]()
        rows.reserveCapacity(count * dimension)
        for (index, vector) in vectors.enumerated() {
            let normalised = l2Normalize(vector)
            isZero[index] = norm(vector) == 0
            rows.append(contentsOf: normalised)
        }
        var gram = [Float](repeating: 0, count: count * count)
        if dimension > 0 {
            _ = singleThreaded
            rows.withUnsafeBufferPointer { a in
                gram.withUnsafeMutableBufferPointer { c in
                    cblas_ssyrk(
                        CblasRowMajor, CblasUpper, CblasNoTrans, Int32(count), Int32(dimension),
                        1, a.baseAddress, Int32(dimension), 0, c.baseAddress, Int32(count))
                }
            }
        }
        var result = [[Float]](repeating: [Float](repeating: 0, count: count), count: count)
        for i in 0..<count {
            result[i][i] = isZero[i] ? 0 : 1
            for j in (i + 1)..<count {
                let value = isZero[i] || isZero[j] ? 0 : clamp(gram[i * count + j])
                result[i][j] = value
                result[j][i] = value
            }
        }
        return result
    }

    /// The `k` vectors most similar to `query` by cosine, most similar first; equal similarities are ordered by
    /// index so results are reproducible. Returns fewer than `k` when there are fewer vectors.
    public static func kNearest(query: [Float], among vectors: [[Float]], k: Int) -> [Neighbor] {
        guard k > 0, !vectors.isEmpty else { return [] }
        let dimension = query.count
        precondition(vectors.allSatisfy { $0.count == dimension }, "vectors differ in length from the query")
        let similarities = cosineSimilarities(
            query: query, matrix: vectors.flatMap { $0 }, count: vectors.count, dimension: dimension)
        return nearest(similarities: similarities, k: k)
    }

    /// The `k` best of precomputed `similarities`, highest first, ties broken by lower index; NaN ranks last.
    public static func nearest(similarities: [Float], k: Int) -> [Neighbor] {
        let ranked = similarities.enumerated().sorted { lhs, rhs in
            let left = lhs.element.isNaN ? -Float.infinity : lhs.element
            let right = rhs.element.isNaN ? -Float.infinity : rhs.element
            return left != right ? left > right : lhs.offset < rhs.offset
        }
        return ranked.prefix(max(0, k)).map { Neighbor(index: $0.offset, similarity: $0.element) }
    }

    private static func clamp(_ value: Float) -> Float {
        min(1, max(-1, value))
    }
}
