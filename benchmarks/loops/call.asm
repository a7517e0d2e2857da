; CALL/RET loop: two near calls to a two-instruction function per iteration (7 instructions),
; exercising the stack and block exits on every transfer.
%include "rom.inc"
ROM_BEGIN
.loop:
    call func
    call func
    jmp .loop
func:
    inc ax
    ret
ROM_END
