import Foundation
import Testing
import XADTensor
@testable import XADImage

@Suite struct CodecImageTests {
    @Test func tensorRoundTripKeepsSamples() throws {
        let samples: [UInt16] = [0, 255, 128, 1, 2, 3]
        let image = try Image(width: 3, height: 1, channels: 2, samples: samples)
        let tensor = image.toTensor()
        #expect(tensor.shape == [1, 2, 1, 3])
        #expect(tensor[0, 0, 0, 1] == 128 / 255 as Float)
        #expect(try Image(tensor: tensor) == image)
    }

    @Test func badSampleCountIsRefused() {
        #expect(throws: ImageError.self) { try Image(width: 2, height: 2, channels: 3, samples: [1, 2]) }
    }
}
