import Testing
import XADExplain

@Suite("Explainer registry")
struct RegistryTests {
    @Test func unknownMethodListsTheKnownOnes() {
        #expect(throws: ExplainerError.unknownMethod("magic", known: Explainers.names)) {
            try Explainers.named("magic")
        }
        #expect(Set(Explainers.names).count == Explainers.names.count)
    }
}
