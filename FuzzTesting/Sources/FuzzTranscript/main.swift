import ConsultFuzzing

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzTarget.transcript.run(UnsafeRawBufferPointer(start: start, count: count))
}
