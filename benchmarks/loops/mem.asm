; Load/store loop over a 4 KiB RAM buffer at 0x1000: 8 instructions per iteration, one load and
; one store of 32 bits each (the soft-MMU fast path).
%include "rom.inc"
ROM_BEGIN
    mov bx, 0x1000
    mov ecx, 0x01010101
.loop:
    mov eax, [bx]
    add eax, ecx
    mov [bx+4], eax
    add bx, 8
    and bx, 0x0FF8
    or bx, 0x1000
    dec ebp
    jnz .loop
ROM_END
