extension BenchmarkConfig {
    /// The commented example config `xad benchmark init` writes: the DeepPCB sample shipped in
    /// `Demo/deeppcb` with two detectors and three explainers at the quick preset.
    public static let exampleYAML = """
        # An XADKit benchmark grid: datasets x detectors x explainers x seeds.
        # Run it:     xad benchmark run grid.yaml --db results.db
        # Rank it:    xad benchmark leaderboard --db results.db --out leaderboard
        # A rerun skips the cells already in the database (measured on the same data).

        # The name shown on the leaderboards.
        name: example

        # quick (the default): reduced explainer settings (integrated gradients 16 steps, RISE 250
        # masks, ...) and 10 defect images per dataset: minutes. thorough: the papers' settings
        # (IG 50 steps, RISE 4000 masks, SmoothGrad 50 samples, 3 randomisation levels), 100 images.
        preset: quick

        # Images are resized to this square size.
        imageSize: 256

        # One cell per seed (fitting, training, sampling and the bootstrap intervals).
        seeds: [0]

        # Defect images explained per dataset (default: the preset's).
        # images: 10

        # Resamples behind each bootstrap 95% interval.
        bootstrapResamples: 1000

        # Deletion/insertion steps and faithfulness-correlation subsets per image (default: the preset's).
        # faithfulnessSteps: 10
        # correlationRuns: 20

        # The backbone's weight file, when not installed where `xad weights` puts it.
        # weights: /path/to/efficientnet-lite0.safetensors

        datasets:
          - name: deeppcb-sample
            path: Demo/deeppcb          # relative paths start at this file's folder
            format: deeppcb             # any `xad fit --format`; omit to detect it
            protocol: "DeepPCB: templates are the normal images, tested boards the anomalous ones"
            traits:
              modality: image           # image or video
              content: object           # texture, object, mixed or scene
              defectSize: small         # small (<1%), medium (1-10%), large (>10%)
            # trainImages: 60             # at most this many training / test images, evenly spaced
            # testImages: 60

        # Registry names (xad fit --help), or {name, options}; `all` is every image detector not
        # named beside it (so `[all, {name: fastflow, options: {epochs: 5}}]` sets FastFlow's options).
        detectors:
          - patchcore
          - name: padim
            options: {channels: 100}

        # Registry names (xad explain --help), or {name, options}; `all` is every explainer.
        # Options given here override the preset's.
        explainers:
          - grad-cam
          - occlusion
          - name: integrated-gradients
            options: {steps: 16}

        # Quality measures recorded (default all): pixel_auroc, aupro, pointing_game,
        # relevance_mass, relevance_rank, deletion_auc, insertion_auc, faithfulness_correlation,
        # max_sensitivity, sparseness, entropy, randomisation.
        measures: [all]

        """
}
