import Foundation

/// The simulated rows of a run that was stopped early, so `vbqlab run --resume` can finish it.
/// Every row depends only on its own random stream, so the resumed run is byte-identical to
/// one that was never interrupted.
enum Checkpoint {
    static let fileName = "checkpoint.vbq"
    static let magic = "VBQCHECKPOINT1\n"

    /// FNV-1a of everything that determines the rows: the scenario as run, seed, replicates, the
    /// truth's simulation size (the true-performance columns depend on it), columns.
    static func fingerprint(_ scenario: Scenario, seed: UInt64, replicates: Int, truthPerClass: Int, layout: ReplicateLayout) -> String {
        let text = scenario.resolvedNode.emitted() + "\nseed \(seed)\nreplicates \(replicates)\ntruth \(truthPerClass)\n"
            + layout.columns.joined(separator: ",") + "\n" + RunWriter.version
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(h, radix: 16)
    }

    static func write(_ table: ReplicateTable, fingerprint: String, to url: URL) throws {
        var data = Data((magic + fingerprint + "\n").utf8)
        table.values.withUnsafeBytes { data.append(contentsOf: $0) }
        table.referenceROC.withUnsafeBytes { data.append(contentsOf: $0) }
        data.append(contentsOf: table.completed.map { $0 ? UInt8(1) : 0 })
        try AtomicFile.write(data, to: url)
    }

    static func read(from url: URL, fingerprint: String, layout: ReplicateLayout, cells: Int, replicates: Int) throws -> ReplicateTable {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VBQError(file: url.deletingLastPathComponent().path, "no interrupted run to resume here (no \(fileName)); run without --resume")
        }
        let header = Data((magic + fingerprint + "\n").utf8)
        guard data.count >= header.count, data.prefix(header.count) == header else {
            throw VBQError(file: url.path, "this checkpoint is from a different scenario, seed or number of replicates; run without --resume to start again")
        }
        var table = ReplicateTable(layout: layout, cells: cells, replicates: replicates)
        let nValues = table.values.count, nROC = table.referenceROC.count, nRows = table.completed.count
        guard data.count == header.count + 8 * (nValues + nROC) + nRows else {
            throw VBQError(file: url.path, "the checkpoint is damaged (\(data.count) bytes); run without --resume to start again")
        }
        var offset = header.count
        data.withUnsafeBytes { raw in
            table.values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 8 * nValues)])) }
            offset += 8 * nValues
            table.referenceROC.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 8 * nROC)])) }
            offset += 8 * nROC
            for i in 0..<nRows { table.completed[i] = raw[offset + i] != 0 }
        }
        return table
    }
}
