import ConsultFuzzingRecords

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    TranscriptFuzzing.run(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}
