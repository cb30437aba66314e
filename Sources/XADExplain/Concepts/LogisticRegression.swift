import Foundation
import XADTensor

/// L2-regularised logistic regression: the linear classifier whose decision boundary gives a
/// concept activation vector.
///
/// It minimises scikit-learn's `LogisticRegression` objective (penalty `l2`, intercept not
/// penalised), `½|w|² + C Σᵢ log(1 + exp(-sᵢ (w·xᵢ + b)))` with `sᵢ = ±1` the label, by Newton's
/// method with a backtracking line search. The objective is strictly convex, so the result is
/// its unique minimum whatever the start: no seed is needed and the fit is deterministic. Sums
/// are in Float64; the Hessian `Xᵀ diag(p(1-p)) X` is one Float32 matrix product (it only
/// steers the steps; the gradient that decides convergence is Float64).
///
/// ```swift
/// let model = try LogisticRegression(fitting: features, labels: isConcept)   // features [N, D]
/// model.decision(features.row)   // w·x + b, > 0 on the concept side
/// ```
public struct LogisticRegression: Sendable, Equatable {
    /// The normal of the boundary, `w` (length D).
    public var weights: [Double]
    /// The offset `b`.
    public var intercept: Double

    public init(weights: [Double], intercept: Double) {
        self.weights = weights
        self.intercept = intercept
    }

    /// Fits `features` (`[N, D]`) to `labels` (true = the positive class).
    /// - Parameters:
    ///   - features: one row per example, `[N, D]`.
    ///   - labels: one per row; true = the positive class.
    ///   - inverseRegularisation: `C` (> 0); larger fits the data more closely. Default 1,
    ///     as scikit-learn's.
    /// - Throws: ``ExplainerError/invalidInput(_:)`` when the shapes disagree, a class is
    ///   missing or a feature is not finite; ``ExplainerError/invalidOption(_:)`` for `C <= 0`;
    ///   ``ExplainerError/numericalFailure(_:)`` when the Newton system is singular.
    public init(fitting features: Tensor, labels: [Bool], inverseRegularisation: Double = 1) throws {
        guard features.rank == 2, features.shape[0] == labels.count else {
            throw ExplainerError.invalidInput("logistic regression needs features [N, D] for N labels; got \(features.shape) for \(labels.count)")
        }
        guard labels.contains(true), labels.contains(false) else {
            throw ExplainerError.invalidInput("logistic regression needs examples of both classes")
        }
        guard inverseRegularisation > 0, inverseRegularisation.isFinite else {
            throw ExplainerError.invalidOption("logistic regression needs C > 0, got \(inverseRegularisation)")
        }
        let x = features.scalars.map(Double.init)
        guard x.allSatisfy(\.isFinite) else { throw ExplainerError.invalidInput("a concept activation is not finite") }
        let problem = Problem(x: x, labels: labels.map { $0 ? 1 : 0 }, count: labels.count, dimension: features.shape[1],
                              penalty: 1 / inverseRegularisation)
        var parameters = [Double](repeating: 0, count: problem.dimension + 1)
        for _ in 0..<100 {
            let (objective, gradient, probabilities) = problem.evaluate(parameters)
            guard (gradient.map(abs).max() ?? 0) > 1e-10 * Double(problem.count) else { break }
            let step = try problem.newtonStep(gradient: gradient, probabilities: probabilities, features: features)
            let slope = zip(gradient, step).reduce(0) { $0 + $1.0 * $1.1 }
            var length = 1.0
            while length > 1e-12 {
                let trial = zip(parameters, step).map { $0 - length * $1 }
                if problem.evaluate(trial).objective <= objective - 1e-4 * length * slope { parameters = trial; break }
                length /= 2
            }
            if length <= 1e-12 { break }
        }
        weights = Array(parameters.dropLast())
        intercept = parameters[problem.dimension]
    }

    /// `w·x + b` for one feature vector.
    public func decision(_ features: [Float]) -> Double {
        zip(weights, features).reduce(intercept) { $0 + $1.0 * Double($1.1) }
    }

    /// The share of rows of `features` (`[N, D]`) on the side of the boundary their label says.
    public func accuracy(features: Tensor, labels: [Bool]) -> Double {
        let (rows, dimension) = (features.shape[0], features.shape[1])
        let values = features.scalars
        let correct = (0..<rows).filter { row in
            (decision(Array(values[(row * dimension)..<((row + 1) * dimension)])) > 0) == labels[row]
        }
        return Double(correct.count) / Double(Swift.max(rows, 1))
    }
}

/// The objective of one fit, divided by `C`: `Σᵢ loss_i + (1/2C)|w|²`.
private struct Problem {
    let x: [Double]
    let labels: [Double]
    let count: Int
    let dimension: Int
    /// `1 / C`.
    let penalty: Double

    /// Objective, gradient (weights then intercept) and `σ(w·xᵢ + b)` at `parameters`.
    func evaluate(_ parameters: [Double]) -> (objective: Double, gradient: [Double], probabilities: [Double]) {
        var gradient = [Double](repeating: 0, count: dimension + 1)
        var probabilities = [Double](repeating: 0, count: count)
        var objective = 0.0
        for i in 0..<count {
            var z = parameters[dimension]
            for j in 0..<dimension { z += parameters[j] * x[i * dimension + j] }
            // log(1 + exp(-s z)) with s = ±1, without overflow.
            let margin = labels[i] == 1 ? -z : z
            objective += Swift.max(margin, 0) + log1p(exp(-abs(margin)))
            let p = 1 / (1 + exp(-z))
            probabilities[i] = p
            let residual = p - labels[i]
            for j in 0..<dimension { gradient[j] += residual * x[i * dimension + j] }
            gradient[dimension] += residual
        }
        for j in 0..<dimension {
            objective += 0.5 * penalty * parameters[j] * parameters[j]
            gradient[j] += penalty * parameters[j]
        }
        return (objective, gradient, probabilities)
    }

    /// `H⁻¹ g` with `H = Zᵀ Z + diag(1/C, ..., 1/C, 0)`, `Z` the rows `[xᵢ, 1]` scaled by
    /// `sqrt(pᵢ(1 - pᵢ))`.
    func newtonStep(gradient: [Double], probabilities: [Double], features: Tensor) throws -> [Double] {
        let columns = dimension + 1
        let scaled = features.withUnsafeBufferPointer { values in
            Tensor(shape: [count, columns]) { out in
                for i in 0..<count {
                    let scale = Float((probabilities[i] * (1 - probabilities[i])).squareRoot())
                    for j in 0..<dimension { out[i * columns + j] = scale * values[i * dimension + j] }
                    out[i * columns + dimension] = scale
                }
            }
        }
        var hessian = try scaled.transposed().matmul(scaled).scalars.map(Double.init)
        let trace = (0..<columns).reduce(0.0) { $0 + hessian[$1 * columns + $1] }
        for j in 0..<columns {
            // The intercept is not penalised; a tiny ridge keeps H positive definite when every
            // probability has saturated.
            hessian[j * columns + j] += (j < dimension ? penalty : 0) + 1e-12 * Swift.max(trace / Double(columns), 1)
        }
        do {
            return try Cholesky(hessian, size: columns).solve(gradient)
        } catch {
            throw ExplainerError.numericalFailure("the concept classifier's Hessian is singular; check the concept activations")
        }
    }
}
