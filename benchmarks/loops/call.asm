; CALL/RET loop: two near calls to a two-instruction function per iteration (8 instructions),
; exercising the stack and block exits on every transfer.
%include "rom.inc"
ROM_BEGIN
.loop:
    call func
    call func
    dec ebp
    jnz .loop
    jmp done
func:
    inc ax
    ret
done:
ROM_END
