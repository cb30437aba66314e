import Testing
import XADExplain
import XADTensor
import XADTestSupport

/// The statistics under TCAV against Tools/reference/gen_concepts.py (scikit-learn, SciPy).
@Suite("Concept statistics")
struct ConceptStatisticsTests {
    // scikit-learn 1.9 LogisticRegression (lbfgs, tol 1e-12) on the same float32 features.
    // tolerance: 1e-5 absolute + 1e-5 relative on weights and intercept: both optima are solved
    // to far below that; the rest is float64 summation order.
    @Test(arguments: ["overlap", "separated", "weak_penalty"])
    func logisticRegressionMatchesScikitLearn(name: String) throws {
        let fixture = try Fixture("concepts/logistic.json")
        let features = try fixture.tensor("\(name)_x")
        let labels = try fixture.tensor("\(name)_y").scalars.map { $0 == 1 }
        let c = try #require(fixture["\(name)_c"]?.double)
        let model = try LogisticRegression(fitting: features, labels: labels, inverseRegularisation: c)
        let expected = try fixture.tensor("\(name)_coef").scalars.map(Double.init)
        let intercept = try #require(fixture["\(name)_intercept"]?.double)
        #expect(model.weights.count == expected.count)
        for (actual, reference) in zip(model.weights, expected) {
            #expect(abs(actual - reference) <= 1e-5 + 1e-5 * abs(reference), "weight \(actual) vs \(reference)")
        }
        #expect(abs(model.intercept - intercept) <= 1e-5 + 1e-5 * abs(intercept), "intercept \(model.intercept) vs \(intercept)")
    }

    @Test func logisticRegressionRefusesASingleClass() throws {
        let features = Tensor(shape: [3, 2]) { out in for i in 0..<6 { out[i] = Float(i) } }
        #expect(throws: ExplainerError.self) { try LogisticRegression(fitting: features, labels: [true, true, true]) }
    }

    // scipy.stats.ttest_ind (equal variances). tolerance: 1e-9 relative on t and p (float64
    // throughout; the incomplete beta's continued fraction converges to ~1e-15).
    @Test func tTestMatchesSciPy() throws {
        let fixture = try Fixture("concepts/ttest.json")
        let tests = try #require(fixture["tests"]?.array)
        #expect(tests.count == 5)
        for entry in tests {
            guard case .object(let values) = entry, let a = values["a"]?.doubles, let b = values["b"]?.doubles,
                  let t = values["t"]?.double, let p = values["p"]?.double else {
                Issue.record("malformed t-test entry")
                continue
            }
            let test = try StudentTTest(a, b)
            #expect(abs(test.statistic - t) <= 1e-9 * abs(t), "t \(test.statistic) vs \(t)")
            #expect(abs(test.pValue - p) <= 1e-9 * p, "p \(test.pValue) vs \(p)")
            #expect(test.degreesOfFreedom == Double(a.count + b.count - 2))
        }
    }

    // scipy.stats.t.sf, two-sided, down to p ~ 6e-13. tolerance: 1e-9 relative.
    @Test func studentTTailsMatchSciPy() throws {
        let tails = try #require(try Fixture("concepts/ttest.json")["tails"]?.array)
        for entry in tails {
            guard case .object(let values) = entry, let t = values["t"]?.double, let df = values["df"]?.double,
                  let p = values["p"]?.double else {
                Issue.record("malformed tail entry")
                continue
            }
            let actual = StudentTTest.twoSidedPValue(t: t, degreesOfFreedom: df)
            #expect(abs(actual - p) <= 1e-9 * p, "t \(t), df \(df): p \(actual) vs \(p)")
        }
    }

    @Test func constantSamplesGiveCertainOrNoDifference() throws {
        #expect(try StudentTTest([1, 1, 1], [0, 0]).pValue == 0)
        #expect(try StudentTTest([2, 2], [2, 2, 2]).pValue == 1)
        #expect(throws: ExplainerError.self) { try StudentTTest([1], [0, 1]) }
    }
}
