// libFuzzer target: shard files as `vbqlab merge` reads them. The input is a shard's body (what
// follows its two header lines); the harness adds the header lines, the checksum and the end
// marker, so mutations reach the parser of the header fields, the scenario a shard carries, its
// truths, records and ROC counts (or a power shard's values) instead of stopping at the
// checksum. Any input must end in a merge or a VBQError — never a trap, an abort or a hang.
// Built and run by `make fuzz` (see fuzz/README.md); the corpus is made by fuzz/shard/make-corpus.
import Foundation
import VBQLab

private let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vbqlab-fuzz-shard-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

private func fnv1a(_ bytes: Data) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShard(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    GSL.configure()
    var file = Data("VBQSHARD2\nfuzz\n".utf8)
    file.append(data, count: size)
    withUnsafeBytes(of: fnv1a(file).littleEndian) { file.append(contentsOf: $0) }
    file.append(Data("VBQSHARDEND\n".utf8))
    let url = folder.appendingPathComponent("shard-1-of-1.vbqshard")
    do {
        try file.write(to: url)
        let shards = try ShardMerge.open([url.path], partial: true)
        if shards.header.kind == .power {
            _ = try PowerMerge.run(shards, threads: 1)
        } else {
            _ = try ShardMerge.run(shards, threads: 1, directory: folder)
        }
    } catch is VBQError {
        return 0
    } catch {
        fatalError("an error that is not a VBQError: \(error)")
    }
    return 0
}
