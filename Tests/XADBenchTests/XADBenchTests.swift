import Testing
@testable import XADBench

@Suite struct XADBenchModuleTests {
    @Test func reportFormatVersionIsOne() {
        #expect(XADBench.reportFormatVersion == 1)
    }
}
