import Testing
import XADImage
import XADTensor
import XADTestSupport

/// Resampling against torchvision 0.29's `transforms.functional.resize` on float32 tensors and
/// Pillow's "F" resize (fixtures from Tools/reference/gen_transforms.py).
@Suite("Transforms: resampling")
struct TransformResampleTests {
    /// Every case in `resize_<filter>.json`: shrink, enlarge, mixed, same size; gray, RGB, batched;
    /// antialias on and off.
    @Test(arguments: ResampleFilter.allCases)
    func matchesTorchvision(filter: ResampleFilter) throws {
        let fixture = try Fixture("transforms/resize_\(filter.rawValue).json")
        let cases = try #require(fixture["cases"]?.array)
        #expect(cases.count == 16)
        for entry in cases {
            guard case .object(let spec) = entry, let key = spec["key"]?.string, let input = spec["input"]?.string,
                  let height = spec["height"]?.int, let width = spec["width"]?.int,
                  let antialias = spec["antialias"]?.bool else {
                Issue.record("malformed case \(entry)")
                continue
            }
            let result = try fixture.tensor(input).resampled(
                to: Size2(height: height, width: width), filter: filter, antialias: antialias)
            let expected = try fixture.tensor(key)
            if filter == .nearest {
                #expect(result.shape == expected.shape && result.scalars == expected.scalars, "nearest \(key)")
            } else {
                // tolerance: 1e-5 absolute (inputs in 0...1; float32 weights and sums in PyTorch's
                // order; measured worst 1.2e-6, bicubic without antialias).
                let ratio = toleranceRatio(result, expected, absolute: 1e-5, relative: 0)
                #expect(ratio <= 1, "\(filter) \(key): \(ratio)")
            }
        }
    }

    @Test func antialiasedFiltersAgreeWithPillow() throws {
        let fixture = try Fixture("transforms/resize_pil.json")
        let gray = try Fixture("transforms/resize_bilinear.json").tensor("gray")
        for filter in [ResampleFilter.bilinear, .bicubic] {
            for (height, width) in [(9, 7), (41, 66)] {
                let result = try gray.resampled(to: Size2(height: height, width: width), filter: filter)
                // tolerance: 1e-5 absolute (Pillow weighs in float64; measured worst ~2e-6).
                let ratio = toleranceRatio(result, try fixture.tensor("pil_\(filter.rawValue)_\(height)x\(width)"),
                                           absolute: 1e-5, relative: 0)
                #expect(ratio <= 1, "\(filter) \(height)x\(width): \(ratio)")
            }
        }
    }

    @Test func constantImageStaysConstantAndSameSizeIsIdentity() throws {
        let constant = Tensor(shape: [1, 3, 17, 23], repeating: 0.25)
        for filter in ResampleFilter.allCases {
            for antialias in [true, false] {
                let small = try constant.resampled(to: Size2(height: 5, width: 40), filter: filter, antialias: antialias)
                #expect(small.shape == [1, 3, 5, 40])
                #expect(small.isApproximatelyEqual(to: Tensor(shape: [1, 3, 5, 40], repeating: 0.25), absolute: 1e-6))
            }
        }
        let image = try Fixture("transforms/resize_bicubic.json").tensor("rgb")
        #expect(try image.resampled(to: Size2(height: 11, width: 14), filter: .bicubic).scalars == image.scalars)
    }

    /// Resampling is linear, so its recorded gradient must be its exact transpose:
    /// `<resample(x), g> == <x, gradient(g)>` for any x and g; also when one axis keeps its size.
    @Test(arguments: [true, false])
    func gradientIsTheTransposeOfTheResampling(antialias: Bool) throws {
        let x = try Tensor(shape: [2, 9, 7], scalars: (0..<126).map { Float(($0 * 37) % 23) / 23 })
        for size in [Size2(height: 4, width: 12), Size2(height: 9, width: 3), Size2(height: 13, width: 7)] {
            let count = 2 * size.height * size.width
            let seed = try Tensor(shape: [2, size.height, size.width],
                                  scalars: (0..<count).map { Float(($0 * 11) % 17) / 17 - 0.5 })
            let tape = GradientTape()
            let watched = tape.watch(x)
            let y = try watched.resampled(to: size, filter: .bicubic, antialias: antialias)
            let gradient = try tape.gradient(of: y, withRespectTo: watched, seed: seed)
            let forward = try (y.detached * seed).sum().scalar ?? .nan
            let backward = try (x * gradient).sum().scalar ?? .nan
            // tolerance: 1e-4 relative (two float32 sums of ~100 products in different orders).
            #expect(abs(forward - backward) <= 1e-4 * abs(forward), "\(size)")
        }
    }

    @Test func badInputThrowsNamingTheProblem() throws {
        #expect(throws: TensorError.self) { try Tensor.zeros([4, 4]).resampled(to: Size2(2), filter: .bilinear) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 3, 0, 4]).resampled(to: Size2(2), filter: .bilinear) }
        do {
            _ = try Tensor.zeros([3, 4, 4]).resampled(to: Size2(height: 0, width: 3), filter: .bicubic)
            Issue.record("no error for a zero target size")
        } catch let error as TensorError {
            #expect(error.description == "resampled: target size (0, 3) must be positive")
        }
    }
}
