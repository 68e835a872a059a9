import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// One simulated patient of the mechanistic model.
public struct MechanisticPatient: Sendable {
    public var age: Double
    public var female, chronicDisease, steroids: Bool
    public var bmi: Double
    public var segments: Int
    /// True bone quality (noiseless VBQ at 3.0 T, CSF at L3).
    public var v: Double
    /// Bit i: mode i (in `FailureDefinition.allModes` order) occurred, was revised, was seen on imaging.
    public var occurred: UInt8
    public var revised: UInt8
    public var imaged: UInt8
    public var event: Bool
    public var is15T: Bool
    /// Where the CSF was measured: −1 for the reference L3, else an index into the model's
    /// fallback levels.
    public var csfLevelIndex: Int
    public var thirdReader: Bool
    /// The recorded score.
    public var score: Double
    /// With follow-up (`MechanisticModel.timed`; NaN, true and true without it): when the
    /// definition's failure happens (∞: never), the follow-up observed (the failure's time or the
    /// censoring's), whether the failure was observed, whether the study's minimum follow-up
    /// rule keeps the patient, and whether the handling analyses the patient (`event` then says
    /// which class).
    public var failureTime = Double.nan
    /// When follow-up would end without failure: the end of the study or the loss, whichever first.
    public var censoring = Double.nan
    public var followUp = Double.nan
    public var observed = false
    public var enrolled = true
    public var analysed = true
}

/// Draws patients. Every patient consumes the same number of random numbers whatever the
/// parameter values (a switched-off stage still draws), so two cells that differ in one
/// parameter see the same patients when they share a stream (`streams: common`).
/// Unchecked Sendable: `table` is written once, in `init`, and only read afterwards.
public final class MechanisticGenerator: @unchecked Sendable {
    public let model: MechanisticModel
    let logOddsPerDecade: Double
    let stenosisLogit: Double
    let definitionModes: [Int]
    /// Per fallback level: its CSF factor (1 when none is given).
    let fallbackFactors: [Double]
    /// The per-patient loop's numbers in one block, read without reference counting or bounds
    /// checks: the running sums of `segments` (as the loop adds them), then per mode α, γ, λ,
    /// P(revision), imaging sensitivity and specificity.
    private let table: UnsafeMutablePointer<Double>
    private let segmentCount, modeCount: Int
    /// The definition's modes as a bit mask, and which of a mode's bits make it count.
    let definitionMask: UInt8

    public init(_ model: MechanisticModel) {
        self.model = model
        fallbackFactors = model.fallbackLevels.map { model.levelFactors[$0] ?? 1 }
        logOddsPerDecade = log(model.stenosisOddsRatioPerDecade)
        let p = model.pStenosis
        stenosisLogit = p <= 0 ? -.infinity : (p >= 1 ? .infinity : log(p / (1 - p)))
        definitionModes = model.definition.modes.compactMap { FailureDefinition.allModes.firstIndex(of: $0) }
        definitionMask = definitionModes.reduce(0) { $0 | UInt8(1) << UInt8($1) }
        segmentCount = model.segments.count
        modeCount = model.modes.count
        table = .allocate(capacity: segmentCount + 6 * modeCount)
        var acc = 0.0
        for (i, p) in model.segments.enumerated() { acc += p; table[i] = acc }
        precondition(modeCount == 4, "a patient keeps its modes' times in a SIMD4")
        for (i, m) in model.modes.enumerated() {
            let base = segmentCount + 6 * i
            table[base] = model.occurrenceAlpha(i); table[base + 1] = m.gamma; table[base + 2] = m.lambda; table[base + 3] = m.revision
            table[base + 4] = m.imagingSensitivity; table[base + 5] = m.imagingSpecificity
        }
    }

    deinit { table.deallocate() }

    /// Per-cohort scanner factors: `per_field` for 3.0 T then for 1.5 T (median 1, lognormal).
    public func scannerFactors(_ rng: RandomStream) -> [Double] { scannerFactors(scannerNormals(rng)) }

    @inline(__always) static func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// u < logistic(x), decided by a table where it can be and by `logistic` itself otherwise,
    /// so the answer is always the exact comparison's: the table (linear interpolation between
    /// x = −16, −16 + 1/16, …, 16; 0 and 1 beyond) is within 4.7·10⁻⁵ of the logistic, and only
    /// when u is within 10⁻⁴ of the tabled value (about 0.02% of draws) is exp computed.
    @inline(__always)
    static func below(_ u: Double, logistic x: Double) -> Bool {
        let approx: Double
        if !(x > -16) { approx = 0 } else if x >= 16 { approx = 1 } else {
            let t = (x + 16) * 16
            let j = Int(t)
            approx = LogisticTable.pointer[j] + (t - Double(j)) * (LogisticTable.pointer[j + 1] - LogisticTable.pointer[j])
        }
        // Decided by the table unless u is within 10⁻⁴ of it: the comparison is kept as a value,
        // not a branch (a branch on it is mispredicted about as often as the event is rare).
        let below = u < approx
        return abs(u - approx) >= 1e-4 ? below : u < logistic(x)
    }

    /// One patient who passed selection; `attempts` counts every patient drawn (for the acceptance rate).
    public func patient(_ rng: RandomStream, scanners: [Double], attempts: inout Int) -> MechanisticPatient {
        patient(rng, scanners: scanners, attempts: &attempts, maxAttempts: .max)!
    }

    /// As `patient`, but gives up (nil) after `maxAttempts` draws of a patient or of an age:
    /// the truth simulation's pilot uses it to refuse a selection or age window that (almost)
    /// nobody passes, instead of looping for ever.
    public func patient(_ rng: RandomStream, scanners: [Double], attempts: inout Int, maxAttempts: Int) -> MechanisticPatient? {
        // With follow-up, a patient the study's minimum-follow-up rule excludes is replaced, as
        // one not operated on is (at least 5% are kept: `FollowUpRules`).
        var budget = maxAttempts
        while true {
            let before = attempts
            guard let d = draws(rng, attempts: &attempts, maxAttempts: budget) else { return nil }
            let p = finish(d, scanners: scanners)
            if p.enrolled { return p }
            budget -= attempts - before
            if budget <= 0 { return nil }
        }
    }

    /// The next patient who passes selection, whether or not the study's minimum-follow-up rule
    /// keeps them (`enrolled` says): what the follow-up profile counts exclusions with.
    package func operatedPatient(_ rng: RandomStream, scanners: [Double], attempts: inout Int) -> MechanisticPatient {
        finish(draws(rng, attempts: &attempts, maxAttempts: .max)!, scanners: scanners)
    }

    /// Per-cohort scanner factors from the cohort's standard normals (`scannerNormals`).
    func scannerFactors(_ normals: [Double]) -> [Double] { normals.map { exp($0 * model.scannerSDLog) } }

    /// The standard normals behind a cohort's scanner factors.
    package func scannerNormals(_ rng: RandomStream) -> [Double] {
        (0..<(2 * model.scannersPerField)).map { _ in rng.normal(mean: 0, sd: 1) }
    }

    /// Stages 1–4 of one patient who passes selection, and the random numbers of stage 5
    /// (nil after `maxAttempts`, as in `patient`).
    func draws(_ rng: RandomStream, attempts: inout Int, maxAttempts: Int) -> PatientDraws? {
        var tries = 0
        while true {
            attempts += 1
            tries += 1
            if tries > maxAttempts { return nil }
            // 1. Population.
            var age = rng.normal(mean: model.ageMean, sd: model.ageSD)
            var ageTries = 0
            while age < model.ageMin || age > model.ageMax {
                ageTries += 1
                if ageTries > maxAttempts { return nil }
                age = rng.normal(mean: model.ageMean, sd: model.ageSD)
            }
            let female = rng.uniform() < model.female
            let chronic = rng.uniform() < model.chronicDisease
            let steroids = rng.uniform() < model.steroids
            let bmi = rng.normal(mean: model.bmiMean, sd: model.bmiSD)
            let u = rng.uniform()
            var segments = 1
            for i in 0..<segmentCount where u >= table[i] { segments = i + 2 }
            segments = min(segments, segmentCount)
            // 2. True bone quality.
            let linear = model.boneMean + model.ageEffect * (age - model.ageMean) / 10
                + model.femaleEffect * ((female ? 1 : 0) - model.female) + model.chronicEffect * ((chronic ? 1 : 0) - model.chronicDisease)
                + model.steroidEffect * ((steroids ? 1 : 0) - model.steroids) + model.bmiEffect * (bmi - model.bmiMean)
            let z = rng.normal(mean: 0, sd: 1)
            let v = model.lognormalResidual
                ? linear * exp(model.residualSD * z - model.residualSD * model.residualSD / 2)
                : linear + model.residualSD * z
            // 3. Selection (spectrum): very poor bone is often not operated on.
            let reject = rng.uniform() < model.q && v > model.vExclude
            // 4. Outcome: independent failure modes, revision, imaging.
            var occurred: UInt8 = 0, revised: UInt8 = 0, imaged: UInt8 = 0
            let modes = table + segmentCount
            for i in 0..<modeCount {
                let m = modes + 6 * i
                let occ = MechanisticGenerator.below(rng.uniform(), logistic: m[0] + m[1] * (v - model.vRef) + m[2] * Double(segments - 1))
                let rev = rng.uniform() < m[3]        // always drawn: a fixed draw count
                let ui = rng.uniform()
                let img = occ ? ui < m[4] : ui >= m[5]
                // Bits set without branching on the (random) outcomes.
                let bit: UInt8 = 1 << UInt8(i)
                occurred |= occ ? bit : 0
                revised |= occ && rev ? bit : 0
                imaged |= img ? bit : 0
            }
            // 5. Measurement: its random numbers (always drawn, rejected patients too).
            let uField = rng.uniform(), uScanner = rng.uniform(), uStenosis = rng.uniform(), uLevel = rng.uniform()
            let zCSF = rng.normal(mean: 0, sd: 1)
            let e1 = rng.normal(mean: 0, sd: 1), e2 = rng.normal(mean: 0, sd: 1), e3 = rng.normal(mean: 0, sd: 1)
            // Follow-up's random numbers, drawn only when the model has follow-up (so a model
            // without it draws exactly as before): each mode's time and revision delay, then the
            // operation's date in the accrual window and the loss to follow-up.
            var uTime = SIMD4<Double>(), uDelay = SIMD4<Double>(), uEntry = 0.0, uLoss = 0.0
            if model.timed {
                for i in 0..<4 { uTime[i] = rng.uniform(); uDelay[i] = rng.uniform() }
                uEntry = rng.uniform(); uLoss = rng.uniform()
            }
            if reject { continue }
            return PatientDraws(age: age, female: female, chronicDisease: chronic, steroids: steroids, bmi: bmi,
                                segments: segments, v: v, occurred: occurred, revised: revised, imaged: imaged,
                                uField: uField, uScanner: uScanner, uStenosis: uStenosis, uLevel: uLevel, zCSF: zCSF,
                                e1: e1, e2: e2, e3: e3, uTime: uTime, uDelay: uDelay, uEntry: uEntry, uLoss: uLoss)
        }
    }

    /// The failure definition and the measurement (stage 5) of a drawn patient, with this
    /// generator's values.
    func finish(_ d: PatientDraws, scanners: [Double]) -> MechanisticPatient {
        // A mode counts when it was revised and/or seen on imaging, as the definition asks, or
        // when it occurred (neither asked).
        let counts: UInt8
        switch (model.definition.revision, model.definition.imaging) {
        case (true, true): counts = d.revised & d.imaged
        case (true, false): counts = d.revised
        case (false, true): counts = d.imaged
        case (false, false): counts = d.occurred
        }
        let event = counts & definitionMask != 0
        let is15 = d.uField < model.share15T
        let scannerIndex = min(model.scannersPerField - 1, Int(d.uScanner * Double(model.scannersPerField)))
        let kScanner = scanners[(is15 ? model.scannersPerField : 0) + scannerIndex]
        let kField = is15 ? model.factor15T : 1
        let stenosis = MechanisticGenerator.below(d.uStenosis, logistic: stenosisLogit + logOddsPerDecade * (d.age - model.ageMean) / 10)
        var levelIndex = -1            // L3
        var kCSF = 1.0
        if stenosis {
            var cum = 0.0
            levelIndex = model.fallbackLevels.count - 1
            for (i, p) in model.fallbackProbabilities.enumerated() {
                cum += p
                if d.uLevel < cum { levelIndex = i; break }
            }
            kCSF = (levelIndex >= 0 ? fallbackFactors[levelIndex] : 1) * exp(model.heterogeneitySDLog * d.zCSF)
        }
        let x = d.v * kField * kScanner / kCSF
        let r1 = x + model.readerSD * d.e1, r2 = x + model.readerSD * d.e2
        let mean = (r1 + r2) / 2
        let third = model.adjudication && abs(r1 - r2) > model.adjudicationThreshold * abs(mean)
        var score = third ? x + model.readerSD * d.e3 : (model.readerSD == 0 ? x : mean)
        if model.rounding > 0 { score = (score / model.rounding).rounded() * model.rounding }
        var patient = MechanisticPatient(age: d.age, female: d.female, chronicDisease: d.chronicDisease, steroids: d.steroids, bmi: d.bmi,
                                         segments: d.segments, v: d.v, occurred: d.occurred, revised: d.revised, imaged: d.imaged,
                                         event: event, is15T: is15, csfLevelIndex: levelIndex, thirdReader: third, score: score)
        if model.timed { followUp(d, counts: counts & definitionMask, &patient) }
        return patient
    }

    /// The failure's time under the definition, the censoring, and what the handling makes of
    /// them (docs/model.md §2c). A mode counts at its own time (a false-positive imaging reading
    /// is dated like a true one), plus the revision delay when the definition asks for revision;
    /// the failure is the first counted mode. Censoring is the end of the study or the loss to
    /// follow-up, whichever comes first.
    func followUp(_ d: PatientDraws, counts: UInt8, _ p: inout MechanisticPatient) {
        var failure = Double.infinity
        for i in definitionModes where counts & (1 << UInt8(i)) != 0 {
            var t = model.modeTime(i, d.uTime[i])
            if model.definition.revision { t += model.revisionDelay(d.uDelay[i]) }
            failure = min(failure, t)
        }
        let entry = model.accrualYears * d.uEntry
        let lossRate = -log1p(-model.lossPerYear)
        let lost = lossRate > 0 ? -log1p(-d.uLoss) / lossRate : .infinity
        let censoring = min(model.studyYears - entry, lost)
        p.failureTime = failure
        p.censoring = censoring
        p.observed = failure <= censoring
        p.followUp = min(failure, censoring)
        p.enrolled = p.observed || censoring >= model.minYears
        let t = model.horizonYears
        switch model.handling {
        case .everObserved:
            p.event = p.observed
            p.analysed = true
        case .horizon:
            p.event = p.observed && p.followUp <= t
            p.analysed = p.event || p.followUp > t
        case .km, .ipcw:
            // Everyone counts in the time-dependent ROC; `event` says who failed by t, as observed.
            p.event = p.observed && p.followUp <= t
            p.analysed = true
        }
    }
}

/// What `MechanisticGenerator.draws` keeps of one patient: stages 1–4 and the random numbers of
/// the measurement.
struct PatientDraws {
    var age: Double
    var female, chronicDisease, steroids: Bool
    var bmi: Double
    var segments: Int
    var v: Double
    var occurred, revised, imaged: UInt8
    var uField, uScanner, uStenosis, uLevel, zCSF, e1, e2, e3: Double
    /// Follow-up's uniforms (zero without follow-up).
    var uTime, uDelay: SIMD4<Double>
    var uEntry, uLoss: Double
}

/// The logistic at x = −16, −16 + 1/16, …, 16, and once more at 16 (for `MechanisticGenerator.below`).
enum LogisticTable {
    nonisolated(unsafe) static let pointer: UnsafePointer<Double> = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 514)
        for j in 0...512 { p[j] = MechanisticGenerator.logistic(-16 + Double(j) / 16) }
        p[513] = p[512]
        return UnsafePointer(p)
    }()
}
