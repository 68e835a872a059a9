// The library as one import, for the command line, the tests and the fuzz targets: each layer
// below is a target of its own, and SwiftPM lets a layer import only the layers beneath it.
@_exported import VBQCore
@_exported import VBQEstimate
@_exported import VBQModel
@_exported import VBQSimulation
@_exported import VBQReport
