import VBQLab

extension CohortAnalysis {
    /// The plain analysis that the production path (`CohortRecorder`: the classes sorted
    /// together, one joint pass for the AUC, its SE and the Youden search) is checked against:
    /// the Mann–Whitney AUC with DeLong's SE computed on its own, and each estimator running its
    /// own search on the sorted classes.
    public init(plainPositives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                methods: [EstimationMethod], fixedCutoffs: [Double], truth: Truth?) {
        if let d = Degeneracy(positives: x, negatives: y) {
            self.init(nPositive: x.count, nNegative: y.count, degenerate: d, auc: nil, estimates: [], fixed: [])
            return
        }
        let auc = AUCEstimate(positives: x, negatives: y)
        let pass = JointPass(auc: auc, searchedYouden: false, youden: nil)
        self.init(nPositive: x.count, nNegative: y.count, degenerate: nil, auc: auc,
                  estimates: methods.map { CutoffEstimate(method: $0, positives: x, negatives: y, pass: pass, truth: truth) },
                  fixed: fixedCutoffs.map { Confusion(cutoff: $0, positives: x, negatives: y) })
    }
}
