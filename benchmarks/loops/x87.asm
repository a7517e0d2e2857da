; x87 arithmetic loop: 6 floating-point instructions + 2 loop instructions per iteration, all on
; the soft-float (80-bit). The value stays bounded: ((x + 1) * 1 - 1) / 1 = x, then sqrt and square.
; x87 operations per second = MIPS * 6 / 8.
%include "rom.inc"
ROM_BEGIN
    fninit
    fld1                ; st1 = 1 after the next load
    fldpi               ; st0 = pi
.loop:
    fadd st0, st1
    fmul st0, st1
    fsub st0, st1
    fdiv st0, st1
    fsqrt
    fmul st0, st0
    dec ebp
    jnz .loop
ROM_END
