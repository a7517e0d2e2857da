; String loop: REP MOVSD copies 1 KiB (256 dwords) from 0x1000 to 0x3000, then starts over.
; 6 instructions per iteration; a REP instruction retires as one instruction however many
; elements it moves, so this loop's MIPS understates its memory bandwidth.
%include "rom.inc"
ROM_BEGIN
    cld
.loop:
    mov si, 0x1000
    mov di, 0x3000
    mov cx, 256
    rep movsd
    dec ebp
    jnz .loop
ROM_END
