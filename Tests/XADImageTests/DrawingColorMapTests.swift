import Testing
import XADImage
import XADTensor
import XADTestSupport

/// Colour maps against matplotlib 3.11 (fixtures from Tools/reference/gen_transforms.py).
@Suite("Drawing: colour maps")
struct DrawingColorMapTests {
    /// The samples hit the centre of each of the 256 entries, plus 0 and 1.
    @Test(arguments: ColorMap.allCases)
    func everyEntryMatchesMatplotlib(map: ColorMap) throws {
        let fixture = try Fixture("transforms/colormaps.json")
        let samples = try fixture.tensor("samples")                         // [258]
        let rgb = try map.apply(to: samples.reshaped([1, 258]), range: 0...1)
        // tolerance: 1e-6 absolute (tables copied from matplotlib; jet recomputed from its segments).
        let ratio = toleranceRatio(try rgb.reshaped([3, 258]), try fixture.tensor(map.rawValue), absolute: 1e-6, relative: 0)
        #expect(ratio <= 1)
    }

    @Test(arguments: ColorMap.allCases)
    func rangeScalesLikeMatplotlibNormalize(map: ColorMap) throws {
        let fixture = try Fixture("transforms/colormaps.json")
        let values = try fixture.tensor("ranged_samples")                   // -2...3, 37 values
        let rgb = try map.apply(to: values.reshaped([1, 1, 1, 37]), range: -2...3)
        #expect(rgb.shape == [3, 1, 37])
        // tolerance: 1e-6 absolute.
        let expected = try fixture.tensor("\(map.rawValue)_ranged")
        #expect(toleranceRatio(try rgb.reshaped([3, 37]), expected, absolute: 1e-6, relative: 0) <= 1)
        // Without a range the map's own minimum and maximum are used: here the same -2...3.
        #expect(try map.apply(to: values.reshaped([1, 37])).scalars == rgb.scalars)
    }

    @Test func knownColoursAndErrors() throws {
        #expect(ColorMap.jet.color(at: 0) == RGBColor(red: 0, green: 0, blue: 0.5))
        #expect(ColorMap.jet.color(at: 1) == RGBColor(red: 0.5, green: 0, blue: 0))
        #expect(ColorMap.viridis.color(at: 0) == RGBColor(red: 0.267004, green: 0.004874, blue: 0.329415))
        // A constant map takes the lowest colour.
        let flat = try ColorMap.inferno.apply(to: Tensor(shape: [2, 2], repeating: 7))
        #expect(flat[0, 0, 0] == ColorMap.inferno.color(at: 0).red)
        do {
            _ = try ColorMap.jet.apply(to: Tensor(shape: [1, 3], scalars: [0, .nan, 1]))
            Issue.record("no error for NaN")
        } catch let error as TensorError {
            #expect(error.kind == .nonFinite)
            #expect(error.description == "ColorMap.apply: map of shape [1, 3] holds nan at flat index 1")
        }
        #expect(throws: TensorError.self) { try ColorMap.jet.apply(to: Tensor.zeros([3, 4, 4])) }
    }
}
