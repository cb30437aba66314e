import Foundation
import Testing
import XADImage
import XADTensor
import XADTestSupport

/// Centre crop, normalisation, colour conversion and `Preprocessing` against torchvision 0.29
/// and Pillow 13 (fixtures from Tools/reference/gen_transforms.py).
@Suite("Transforms: crop, normalise, colour, preprocessing")
struct TransformTests {
    @Test func centerCropMatchesTorchvisionIncludingPadding() throws {
        let fixture = try Fixture("transforms/crop_normalize.json")
        let image = try fixture.tensor("image")                          // [3, 7, 10]
        let crops = try #require(fixture["crops"]?.array)
        #expect(crops.count == 5)
        for crop in crops {
            guard case .object(let spec) = crop, let key = spec["key"]?.string,
                  let height = spec["height"]?.int, let width = spec["width"]?.int else {
                Issue.record("malformed crop \(crop)")
                continue
            }
            let result = try image.centerCropped(to: Size2(height: height, width: width))
            let expected = try fixture.tensor(key)
            // tolerance: exact (a copy).
            #expect(result.shape == expected.shape && result.scalars == expected.scalars, "\(key)")
        }
        // Batched input keeps its batch axis; (7 - 4) / 2 = 1.5 rounds to 2 (half to even).
        let batched = try image.unsqueezed(axis: 0).centerCropped(to: Size2(height: 4, width: 10))
        #expect(batched.shape == [1, 3, 4, 10])
        #expect(batched[0, 0, 0, 0] == image[0, 2, 0])
    }

    @Test func normalizeMatchesTorchvision() throws {
        let fixture = try Fixture("transforms/crop_normalize.json")
        let mean = try #require(fixture["mean"]?.doubles).map(Float.init)
        let std = try #require(fixture["std"]?.doubles).map(Float.init)
        let result = try fixture.tensor("image").normalized(mean: mean, std: std)
        // tolerance: 1e-6 absolute + 1e-6 relative (same two float32 operations as torchvision).
        #expect(toleranceRatio(result, try fixture.tensor("normalized"), absolute: 1e-6, relative: 1e-6) <= 1)
        let pair = try Tensor.concatenate([fixture.tensor("image"), fixture.tensor("image")].map { try $0.unsqueezed(axis: 0) }, axis: 0)
        let pairResult = try pair.normalized(mean: mean, std: std)
        #expect(pairResult.shape == [2, 3, 7, 10])
        #expect(try pairResult.sliced(axis: 0, range: 1..<2).scalars == result.scalars)
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 2, 2]).normalized(mean: [0.5], std: [0.5]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 2, 2]).normalized(mean: [0.5], std: [0]) }
    }

    @Test func rgbToGrayscaleMatchesPillowL() throws {
        let fixture = try Fixture("transforms/grayscale.json")
        let gray = try fixture.tensor("rgb").rgbToGrayscale()
        #expect(gray.shape == [1, 6, 9])
        // Pillow rounds L to 8 bits with fixed-point weights: within 0.5 + 0.01 grey levels.
        let ratio = toleranceRatio(gray * 255, try fixture.tensor("pil_l"), absolute: 0.51, relative: 0)
        #expect(ratio <= 1)
    }

    @Test func grayscaleToRGBRepeatsTheChannelAndChannelChecksThrow() throws {
        let gray = try Tensor(shape: [1, 1, 1, 2], scalars: [0.25, 0.75])
        let rgb = try gray.grayscaleToRGB()
        #expect(rgb.shape == [1, 3, 1, 2])
        #expect(rgb.scalars == [0.25, 0.75, 0.25, 0.75, 0.25, 0.75] as [Float])
        #expect(try rgb.rgbToGrayscale().isApproximatelyEqual(to: gray, absolute: 1e-6))
        do {
            _ = try Tensor.zeros([4, 2, 2]).rgbToGrayscale()
            Issue.record("no error for 4 channels")
        } catch let error as TensorError {
            #expect(error.description == "rgbToGrayscale: image shape [4, 2, 2] has 4 channels (want 1 or 3)")
        }
    }

    /// The default pipeline equals its steps done by hand, and a gray image becomes RGB.
    @Test func preprocessingComposesItsSteps() throws {
        let rgb = try Fixture("transforms/resize_bilinear.json").tensor("rgb")      // [3, 11, 14]
        let prepare = Preprocessing(imageSize: Size2(height: 8, width: 9), centerCrop: Size2(6))
        let prepared = try prepare(rgb)
        let byHand = try rgb.unsqueezed(axis: 0)
            .resampled(to: Size2(height: 8, width: 9), filter: .bilinear)
            .centerCropped(to: Size2(6))
            .normalized(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        #expect(prepared.shape == [1, 3, 6, 6])
        #expect(prepared.scalars == byHand.scalars)
        #expect(prepare.outputSize == Size2(6))

        let gray = Tensor(shape: [1, 1, 5, 5], repeating: 1)
        let fromGray = try Preprocessing(imageSize: Size2(4))(gray)
        #expect(fromGray.shape == [1, 3, 4, 4])
        #expect(fromGray.scalars.allSatisfy { abs($0 - 1) < 1e-6 })          // (1 - 0.5) / 0.5
        #expect(throws: TensorError.self) { try Preprocessing(grayscaleToRGB: false)(gray) }

        // Alpha is dropped, as Pillow's convert("RGB") does: RGBA keeps its RGB, gray + alpha its gray.
        let rgba = try Tensor(shape: [4, 1, 1], scalars: [1, 0.5, 0, 0.25]).expanded(to: [4, 5, 5])
        #expect(try Preprocessing(imageSize: Size2(5))(rgba).scalars == [Float](repeating: 1, count: 25)
                + [Float](repeating: 0, count: 25) + [Float](repeating: -1, count: 25))
        let grayAlpha = try Tensor(shape: [1, 2, 1, 1], scalars: [0.75, 0.1]).expanded(to: [1, 2, 3, 3])
        #expect(try Preprocessing(imageSize: Size2(3))(grayAlpha).scalars == [Float](repeating: 0.5, count: 27))
    }

    @Test func preprocessingRoundTripsThroughJSONAndFillsMissingKeysWithDefaults() throws {
        let custom = Preprocessing(imageSize: Size2(height: 224, width: 320), filter: .bicubic, antialias: false,
                                   centerCrop: Size2(200), mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let decoded = try JSONDecoder().decode(Preprocessing.self, from: try JSONEncoder().encode(custom))
        #expect(decoded == custom)
        let partial = try JSONDecoder().decode(Preprocessing.self, from: Data(#"{"filter": "nearest"}"#.utf8))
        #expect(partial == Preprocessing(filter: .nearest))
        #expect(partial.imageSize == Size2(256) && partial.mean == [0.5, 0.5, 0.5] && partial.antialias)
    }
}
