import ConsultFuzzing

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzTarget.expression.run(UnsafeRawBufferPointer(start: start, count: count))
}
