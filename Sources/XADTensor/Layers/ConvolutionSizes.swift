/// Throws unless a convolution layer's sizes can work: positive channel counts, kernel and groups,
/// and channel counts that are multiples of `groups` (shared by ``Conv2D`` and ``ConvTranspose2D``).
func checkConvolutionSizes(_ layer: String, inputChannels: Int, outputChannels: Int, kernelSize: Size2, groups: Int) throws {
    guard inputChannels > 0, outputChannels > 0, kernelSize.height > 0, kernelSize.width > 0, groups > 0,
          inputChannels % groups == 0, outputChannels % groups == 0 else {
        throw TensorError(.invalidArgument, layer,
                          "\(inputChannels) -> \(outputChannels) channels, kernel \(kernelSize), groups \(groups): sizes must be positive and channels multiples of groups")
    }
}
