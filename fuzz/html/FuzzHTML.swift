// libFuzzer target: the HTML page renderer. An input is markdown, then (after the first NUL
// byte, if any) an SVG figure the markdown shows as fig.svg; the page vbqlab renders from them
// must pass HTMLCheck — no element that runs or embeds anything, no event handler, no script
// or data address, no srcdoc, no reference outside the page, the Content-Security-Policy in
// place — and rendering must end without a trap or a hang. Built and run by `make fuzz`.
import Foundation
import VBQLab

let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vbqlab-fuzz-html-\(getpid())", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let markdown = String(decoding: bytes[..<split], as: UTF8.self)
    let svg = split < bytes.count ? Data(bytes[(split + 1)...]) : Data()
    try? svg.write(to: folder.appendingPathComponent("fig.svg"))
    let page = HTMLPage.render(markdown: markdown + "\n\n![a figure](fig.svg)\n", title: String(markdown.prefix(80)), base: folder)
    let problems = HTMLCheck.problems(page)
    if !problems.isEmpty {
        fatalError("unsafe page: \(problems.joined(separator: "; "))\n\(page)")
    }
    return 0
}
