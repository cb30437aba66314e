import Dispatch
import XADDetect
import XADExplain
import XADTensor

/// The detector's work, one pass at a time, with score requests that arrive together batched.
///
/// A score request waits up to the batch window for others to join it, then up to `batchSize`
/// queued images go through the detector as one batch (`score(images:)`). Explanations run alone.
/// At most `queueLimit` requests wait; the next gets 503 with `Retry-After` at once, and a request
/// still unanswered after `requestTimeout` gets 503 (it leaves the queue if it had not started).
/// The work itself runs on a dedicated thread so that it never blocks Swift's cooperative pool
/// or the server's event loops.
///
/// ```swift
/// let queue = InferenceQueue(detector: saved.detector, settings: settings)
/// let scored = try await queue.score(image)     // scored.result.score, scored.batch
/// ```
actor InferenceQueue {
    /// A score and how it was computed.
    struct Scored: Sendable {
        var result: AnomalyResult
        /// How many images the detector scored in the same pass.
        var batch: Int
        /// Seconds spent waiting in the queue and in the detector.
        var queueSeconds: Double
        var computeSeconds: Double
    }

    /// An explanation and how it was computed.
    struct Explained: Sendable {
        var explanation: Explanation
        var queueSeconds: Double
        var computeSeconds: Double
    }

    private enum Work: Sendable {
        case score(Tensor)
        case explain(Tensor, any Explainer, ExplanationTarget)
    }

    private enum Outcome: Sendable {
        case scored(Scored)
        case explained(Explained)
    }

    private struct Job: Sendable {
        let id: Int
        let work: Work
        let enqueued: ContinuousClock.Instant
    }

    private let detector: any AnomalyDetector
    private let settings: ServeSettings
    private let depthChanged: @Sendable (Int) -> Void
    private let batchScored: @Sendable (Int) -> Void
    private let thread = DispatchQueue(label: "xad.serve.inference")
    private var waiting: [Job] = []
    private var answers: [Int: CheckedContinuation<Outcome, any Error>] = [:]
    private var nextID = 0
    private var isDraining = false

    /// - Parameters:
    ///   - depthChanged: called with the number of waiting requests whenever it changes.
    ///   - batchScored: called with the number of images of every scoring pass.
    init(detector: any AnomalyDetector, settings: ServeSettings, depthChanged: @escaping @Sendable (Int) -> Void = { _ in },
         batchScored: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.detector = detector
        self.settings = settings
        self.depthChanged = depthChanged
        self.batchScored = batchScored
    }

    /// The detector's result on `image` (`[1, C, H, W]` in 0...1), its map at the image's size.
    func score(_ image: Tensor) async throws -> Scored {
        guard case .scored(let scored) = try await submit(.score(image)) else { preconditionFailure("a score job gave an explanation") }
        return scored
    }

    /// `explainer`'s explanation of `target` on `image`.
    func explain(_ image: Tensor, with explainer: any Explainer, target: ExplanationTarget) async throws -> Explained {
        guard case .explained(let explained) = try await submit(.explain(image, explainer, target)) else {
            preconditionFailure("an explanation job gave a score")
        }
        return explained
    }

    private func submit(_ work: Work) async throws -> Outcome {
        guard waiting.count < settings.queueLimit else {
            throw ServeError(.serviceUnavailable, "the service is busy (\(waiting.count) requests waiting); retry shortly", retryAfter: 1)
        }
        let id = nextID
        nextID += 1
        let timeout = settings.requestTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { answer in
            answers[id] = answer
            waiting.append(Job(id: id, work: work, enqueued: .now))
            depthChanged(waiting.count)
            if !isDraining {
                isDraining = true
                Task { await drain() }
            }
        }
    }

    /// Answers request `id` with a timeout if it is still unanswered.
    private func expire(_ id: Int) {
        guard let answer = answers.removeValue(forKey: id) else { return }
        waiting.removeAll { $0.id == id }
        depthChanged(waiting.count)
        answer.resume(throwing: ServeError(.serviceUnavailable,
                                           "the request took longer than \(settings.requestTimeout) and was abandoned", retryAfter: 1))
    }

    /// Runs jobs until the queue is empty.
    private func drain() async {
        while let first = waiting.first {
            if case .score = first.work, settings.batchSize > scoreJobsAtFront, settings.batchWindow > .zero {
                try? await Task.sleep(for: settings.batchWindow)   // the actor is free meanwhile: others join
            }
            let batch = takeBatch()
            guard !batch.isEmpty else { continue }
            depthChanged(waiting.count)
            if case .score = batch[0].work { batchScored(batch.count) }
            let outcomes = await run(batch)
            for (job, outcome) in zip(batch, outcomes) { answers.removeValue(forKey: job.id)?.resume(with: outcome) }
        }
        isDraining = false
    }

    /// The number of score jobs at the front of the queue, before any explanation.
    private var scoreJobsAtFront: Int {
        waiting.prefix { if case .score = $0.work { true } else { false } }.count
    }

    /// The next pass: up to `batchSize` score jobs from the front, or one explanation.
    private func takeBatch() -> [Job] {
        guard let first = waiting.first else { return [] }
        let count = if case .score = first.work { min(scoreJobsAtFront, settings.batchSize) } else { 1 }
        let batch = Array(waiting.prefix(count))
        waiting.removeFirst(count)
        return batch
    }

    /// The jobs' outcomes, computed on the inference thread.
    private func run(_ batch: [Job]) async -> [Result<Outcome, any Error>] {
        let detector = self.detector
        return await withCheckedContinuation { done in
            thread.async { done.resume(returning: Self.compute(batch, detector: detector)) }
        }
    }

    private static func compute(_ batch: [Job], detector: any AnomalyDetector) -> [Result<Outcome, any Error>] {
        let started = ContinuousClock.now
        let waited = batch.map { (started - $0.enqueued).seconds }
        if case .explain(let image, let explainer, let target) = batch[0].work {
            // As `xad explain` runs it: timed, and a map holding NaN or infinity is an error.
            var run = ExplanationRun(explainers: [explainer], dropsFailingMethods: false)
            let outcome = Result { try run.explain(detector, image: image, target: target).explanations[0] }.map { timed in
                Outcome.explained(Explained(explanation: timed.explanation, queueSeconds: waited[0], computeSeconds: timed.seconds))
            }
            return [outcome]
        }
        let images = batch.map { job -> Tensor in
            guard case .score(let image) = job.work else { preconditionFailure("a batch mixes scores and explanations") }
            return image
        }
        // One bad image must not fail the others: a failed batch is scored again image by image.
        let results: [Result<AnomalyResult, any Error>]
        if let batched = try? detector.score(images: images) {
            results = batched.map { .success($0) }
        } else {
            results = images.map { image in Result { try detector.score(image: image) } }
        }
        let computeSeconds = started.secondsElapsed
        return zip(results, waited).map { result, waited in
            result.map { .scored(Scored(result: $0, batch: images.count, queueSeconds: waited, computeSeconds: computeSeconds)) }
        }
    }
}
