import Testing
import XADImage

/// The one list of image file extensions that folder listings use.
@Suite("Image file names")
struct ImageFormatTests {
    @Test func imageFileNamesGoByExtensionInAnyCase() {
        #expect(["a.png", "b.JPG", "c.jpeg", "d.tif", "e.TIFF", "f.bmp"].allSatisfy(ImageFormat.isImageFileName))
        #expect(!["a.npy", "b.txt", "png", "c.png.partial"].contains(where: ImageFormat.isImageFileName))
        #expect(ImageFormat.fileExtensions == ["png", "jpg", "jpeg", "tif", "tiff", "bmp"])
    }
}
